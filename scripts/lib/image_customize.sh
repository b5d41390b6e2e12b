#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# scripts/lib/image_customize.sh ROOT UUID - mmdebstrap customize hook of
# scripts/build-image: turns the package tree at ROOT into the VE's root
# file system (fstab, cloud-init datasources and policy, sshd keys-only,
# networkd, no machine identity baked in).
set -eu
R=$1
UUID=$2

printf 'UUID=%s / ext4 defaults,errors=remount-ro 0 1\n' "$UUID" > "$R/etc/fstab"
echo sekisho-ve > "$R/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$R/etc/hosts"

# cloud-init: the clouds the VE is deployed on, keys-only SSH, the first
# NIC by DHCP (networkd; no ifupdown in the image), no locale generation.
cat > "$R/etc/cloud/cloud.cfg.d/90-sekisho.cfg" <<'CFG'
# Sekisho VE (scripts/build-image): datasources in detection order; None
# last so a boot without any still finishes (and sekisho-firstboot says so).
datasource_list: [ NoCloud, ConfigDrive, OpenStack, Ec2, Azure, GCE, None ]
disable_root: true
ssh_pwauth: false
locale: C.UTF-8
manage_etc_hosts: localhost
system_info:
  default_user:
    name: debian
    lock_passwd: true
    gecos: Sekisho VE administrator
    groups: [adm, sudo, systemd-journal]
    sudo: ["ALL=(ALL) NOPASSWD:ALL"]
    shell: /bin/bash
  network:
    renderers: [ networkd ]
    activators: [ networkd ]
CFG

mkdir -p "$R/etc/ssh/sshd_config.d"
cat > "$R/etc/ssh/sshd_config.d/90-sekisho.conf" <<'SSHD'
# Sekisho VE: keys only; root never logs in.
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
PermitEmptyPasswords no
SSHD
# Host keys are made per instance by cloud-init, never shared by every copy.
rm -f "$R"/etc/ssh/ssh_host_*

chroot "$R" passwd -l root >/dev/null
chroot "$R" systemctl enable systemd-networkd.service >/dev/null 2>&1
# The sekisho package enabled its units; say what is enabled (build log).
chroot "$R" systemctl is-enabled sekisho-dp.service sekisho-cp.service sekisho-firstboot.service

# No identity baked into the image: machine-id is made at first boot.
: > "$R/etc/machine-id"
rm -f "$R/var/lib/dbus/machine-id"
rm -rf "$R/var/lib/cloud" "$R"/var/log/*.log "$R/var/cache/apt/archives/"*.deb
mkdir -p "$R/etc/kernel"
