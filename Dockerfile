# SPDX-License-Identifier: BSD-3-Clause
# Sekisho container image: the `sekisho` Debian package (scripts/package)
# built in one stage and installed with apt in a slim one, so the container
# carries exactly what the package declares (DPDK 22.11 libraries and PMD
# plugins from Debian, libconfig, libmicrohttpd, OpenSSL, libcurl, jansson).
#
#   docker build -t sekisho .
#   docker run --rm --privileged --network host -v /dev/hugepages:/dev/hugepages \
#       -v /path/to/your.conf:/etc/sekisho/sekisho.conf:ro sekisho
#
# The container compiles /etc/sekisho/sekisho.conf (default: the lab
# template) and runs the dataplane on the interfaces it names.  On a VM use
# the VE image instead (scripts/build-image, docs/ve.md).

FROM debian:12 AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        gcc libc6-dev meson ninja-build pkg-config dpkg-dev binutils \
        libdpdk-dev libnuma-dev libconfig-dev libpcap-dev libjansson-dev \
        libmicrohttpd-dev libssl-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN rm -rf build-deb && scripts/package --no-lintian -o /pkg && ls -l /pkg

FROM debian:12-slim
ENV DEBIAN_FRONTEND=noninteractive
COPY --from=build /pkg/ /tmp/pkg/
# dpdk: dpdk-dumpcap, which `sekishoctl capture` runs (docs/security.md).
RUN apt-get update \
 && apt-get install -y --no-install-recommends /tmp/pkg/sekisho_*.deb dpdk \
 && rm -rf /var/lib/apt/lists/* /tmp/pkg
RUN install -m 0640 /usr/share/sekisho/conf/lab.conf /etc/sekisho/sekisho.conf \
 && sekisho-cp --check /etc/sekisho/sekisho.conf
CMD ["/bin/sh", "-c", "sekisho-cp --compile /etc/sekisho/sekisho.conf -o /run/sekisho.img && exec sekisho-dp --image /run/sekisho.img"]
