// Text from files and from the network goes to a terminal: a tag or an error snippet must not be able to move
// the cursor, recolour the screen or set the window title, nor an endpoint URL show the credentials in it.

// C0 controls but tab and newline, DEL, and the C1 controls (which include the 8-bit CSI).
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const escaped = (character: string) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** `text` with every control character shown as a visible escape (`\u001b`); tabs and newlines stay. */
export function printable(text: string): string {
    return text.replace(CONTROL_CHARACTERS, escaped);
}

/**
 * Indented JSON safe for a terminal. JSON escapes the C0 controls itself but not DEL and the C1 controls (the
 * 8-bit CSI among them); escaping those too leaves the same JSON value.
 */
export function printableJson(value: unknown): string {
    return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f]/g, escaped);
}

/** An endpoint URL with its user-info (`KEY:SECRET@`) masked, for messages. */
export function maskedEndpoint(url: string): string {
    try {
        const parsed = new URL(url);
        if (parsed.username === "" && parsed.password === "") {
            return url;
        }
        parsed.username = "***";
        parsed.password = parsed.password === "" ? "" : "***";
        return parsed.toString().replace(/\/$/, url.endsWith("/") ? "/" : "");
    } catch {
        return url.replace(/\/\/[^/@]*@/, "//***@");
    }
}

/** `text` with the user-info of `url` wherever it occurs (an SDK message may quote the URL) masked. */
export function withoutUserInfo(text: string, url: string | undefined): string {
    if (url === undefined) {
        return text;
    }
    const userInfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@]*)@/i.exec(url)?.[1];
    if (userInfo === undefined || userInfo === "") {
        return text;
    }
    const parts = [userInfo, ...safeDecodings(userInfo)].flatMap((info) => [info, ...info.split(":").filter((part) => part.length >= 3)]);
    const variants = [...new Set(parts)].sort((a, b) => b.length - a.length);
    let masked = text.split(url).join(maskedEndpoint(url));
    for (const variant of variants) {
        masked = masked.split(variant).join("***");
    }
    return masked;
}

function safeDecodings(text: string): string[] {
    try {
        return [decodeURIComponent(text)];
    } catch {
        return [];
    }
}
