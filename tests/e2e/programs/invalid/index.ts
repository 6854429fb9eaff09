// Two mistakes a user makes: a repository name ECR refuses, and a rule with two conditions (a count
// and an age), which ECR cannot express. ecrx must report both before anything is registered.
import * as ecrx from "ecrx";

new ecrx.Repository("app", {
    name: "Team/App",
    lifeCyclePolicyArgs: {
        rules: [{ selection: "untagged", maximumNumberOfImages: 5, maximumAgeLimit: 30 }],
    },
});
