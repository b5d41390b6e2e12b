# SPDX-License-Identifier: BSD-3-Clause
# Sekisho VE container image: sekisho-dp (dataplane), sekishoctl and sekisho-cp (config
# compiler / control plane) on Debian 12, built in one stage and shipped in
# a slim one with only the shared libraries the programs load.
#
#   docker build -t sekisho .
#   docker run --rm --privileged --network host -v /dev/hugepages:/dev/hugepages \
#       -v /path/to/your.conf:/etc/sekisho/sekisho.conf:ro sekisho
#
# The container compiles /etc/sekisho/sekisho.conf (default: conf/lab.conf)
# and runs the dataplane on the interfaces it names.

FROM debian:12 AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        gcc libc6-dev meson ninja-build pkg-config \
        libdpdk-dev libnuma-dev libconfig-dev libpcap-dev libjansson-dev \
        libmicrohttpd-dev libssl-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Same options as scripts/test builds and tests (warnings are errors).
RUN meson setup /build \
 && ninja -C /build -j2 \
 && test -x /build/dataplane/sekisho-dp && test -x /build/control/sekisho-cp \
 && test -x /build/control/ctl/sekishoctl
# Debian packages of the shared libraries the programs load, so the runtime
# stage installs exactly those (the DPDK libraries among them).
RUN ldd /build/dataplane/sekisho-dp /build/control/sekisho-cp /build/control/ctl/sekishoctl \
      | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u \
      | while read -r lib; do \
            dpkg -S "*/$(basename "$(dirname "$lib")")/$(basename "$lib")"; \
        done 2>/dev/null \
      | sed 's/: .*//; s/, /\n/g' | sed 's/:.*//' | sort -u > /build/runtime-packages \
 && grep -q '^librte-eal' /build/runtime-packages \
 && cat /build/runtime-packages

FROM debian:12-slim
ENV DEBIAN_FRONTEND=noninteractive
COPY --from=build /build/runtime-packages /tmp/runtime-packages
# Beyond what ldd saw: EAL loads poll-mode and mempool drivers as plugins at
# run time (vdevs for labs and tests, virtio/vmxnet3/ENA/gVNIC/iavf for cloud).
# dpdk: dpdk-dumpcap, which `sekishoctl capture` runs (docs/security.md).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        $(cat /tmp/runtime-packages) \
        libconfig9 libnuma1 libpcap0.8 libjansson4 libmicrohttpd12 libssl3 \
        librte-mempool-ring23 librte-bus-vdev23 librte-bus-pci23 \
        librte-net-af-packet23 librte-net-pcap23 librte-net-ring23 librte-net-tap23 \
        librte-net-memif23 librte-net-virtio23 librte-net-vmxnet3-23 librte-net-ena23 \
        librte-net-gve23 librte-net-iavf23 dpdk \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages
COPY --from=build /build/dataplane/sekisho-dp /build/control/sekisho-cp \
     /build/control/ctl/sekishoctl /usr/local/bin/
COPY conf/ /etc/sekisho/conf/
RUN cp /etc/sekisho/conf/lab.conf /etc/sekisho/sekisho.conf \
 && sekisho-cp --check /etc/sekisho/sekisho.conf
CMD ["/bin/sh", "-c", "sekisho-cp --compile /etc/sekisho/sekisho.conf -o /run/sekisho.img && exec sekisho-dp --image /run/sekisho.img"]
