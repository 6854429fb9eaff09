# Base image for the ecrx sandbox: Debian's busybox-static, no public registry needed.
# Built by sandbox/registry/registry.sh seed (context: /bin/busybox copied as ./busybox).
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "mkdir", "-p", "/usr/bin", "/sbin", "/usr/sbin", "/tmp", "/etc", "/root"]
RUN ["/bin/busybox", "--install", "-s"]
RUN ["/bin/busybox", "chmod", "1777", "/tmp"]
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["/bin/sh"]
