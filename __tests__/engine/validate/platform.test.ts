// Platform comparison, rule by rule as containerd normalises (containerd/platforms database.go normalizeOS and
// normalizeArch); the cases are written from those rules and from the spellings its tests and regclient's use.
import { describe, expect, test } from 'vitest';
import type { Platform } from '../../../src/registry/manifest.js';
import {
  formatPlatform,
  normalisePlatform,
  samePlatform,
  selectedByFilter,
} from '../../../src/engine/validate/platform.js';

const p = (os: string, architecture: string, variant?: string): Platform => ({
  os,
  architecture,
  ...(variant !== undefined ? { variant } : {}),
});

describe('normalised as containerd does', () => {
  test.each([
    // OS: lowercased, macos is darwin
    [p('Linux', 'amd64'), 'linux/amd64'],
    [p('macos', 'arm64'), 'darwin/arm64'],
    [p('MacOS', 'arm64'), 'darwin/arm64'],
    [p('Windows', 'AMD64'), 'windows/amd64'],
    // 386: i386, variant dropped
    [p('linux', 'i386'), 'linux/386'],
    [p('linux', 'i386', 'v2'), 'linux/386'],
    // amd64: aliases, v1 the default
    [p('linux', 'x86_64'), 'linux/amd64'],
    [p('linux', 'x86-64'), 'linux/amd64'],
    [p('linux', 'amd64', 'v1'), 'linux/amd64'],
    [p('linux', 'amd64', 'v2'), 'linux/amd64/v2'],
    [p('linux', 'amd64', 'v3'), 'linux/amd64/v3'],
    // arm64: v8 the default in every spelling, v9 spellings
    [p('linux', 'aarch64'), 'linux/arm64'],
    [p('linux', 'arm64', 'v8'), 'linux/arm64'],
    [p('linux', 'arm64', '8'), 'linux/arm64'],
    [p('linux', 'arm64', 'v8.0'), 'linux/arm64'],
    [p('linux', 'aarch64', 'V8'), 'linux/arm64'],
    [p('linux', 'arm64', '9'), 'linux/arm64/v9'],
    [p('linux', 'arm64', '9.0'), 'linux/arm64/v9'],
    [p('linux', 'arm64', 'v9.0'), 'linux/arm64/v9'],
    [p('linux', 'arm64', 'v9'), 'linux/arm64/v9'],
    [p('linux', 'arm64', 'v8.1'), 'linux/arm64/v8.1'],
    // arm: v7 the default, armhf and armel forced, numbers made versions
    [p('linux', 'arm'), 'linux/arm/v7'],
    [p('linux', 'arm', '7'), 'linux/arm/v7'],
    [p('linux', 'arm', '5'), 'linux/arm/v5'],
    [p('linux', 'arm', '6'), 'linux/arm/v6'],
    [p('linux', 'arm', '8'), 'linux/arm/v8'],
    [p('linux', 'arm', 'v4'), 'linux/arm/v4'],
    [p('linux', 'armhf'), 'linux/arm/v7'],
    [p('linux', 'armhf', 'v6'), 'linux/arm/v7'],
    [p('linux', 'armel'), 'linux/arm/v6'],
    // anything else as written, lowercased
    [p('linux', 'S390X'), 'linux/s390x'],
    [p('linux', 'riscv64', 'rva22u64'), 'linux/riscv64/rva22u64'],
  ])('%j → %s', (platform, expected) => {
    expect(formatPlatform(normalisePlatform(platform))).toBe(expected);
  });
});

describe('compared after normalising', () => {
  test.each([
    [p('linux', 'arm64'), p('linux', 'arm64', 'v8'), true],
    [p('linux', 'arm64'), p('linux', 'arm64', 'v8.0'), true],
    [p('linux', 'aarch64', '8'), p('linux', 'arm64', 'v8'), true],
    [p('linux', 'arm64', '9.0'), p('linux', 'arm64', 'v9'), true],
    [p('linux', 'arm64'), p('linux', 'arm64', 'v9'), false],
    [p('darwin', 'arm64'), p('macos', 'arm64'), true],
    [p('linux', 'arm'), p('linux', 'armhf'), true],
    [p('linux', 'arm', 'v6'), p('linux', 'armel'), true],
    [p('linux', 'arm', 'v6'), p('linux', 'arm'), false],
    [p('linux', 'amd64', 'v2'), p('linux', 'amd64'), false],
    [p('linux', 'i386'), p('linux', '386'), true],
  ])('%j = %j: %s', (a, b, same) => {
    expect(samePlatform(a, b)).toBe(same);
    expect(samePlatform(b, a)).toBe(same);
  });
});

describe('the filter reads its values the same way', () => {
  const filter = { arch: ['aarch64', 'x86_64'], os: ['MacOS', 'linux'], variant: [] };
  test.each([
    [p('darwin', 'arm64'), true],
    [p('linux', 'amd64'), true],
    [p('linux', 'arm64', 'v8'), true],
    [p('windows', 'amd64'), false],
    [p('linux', 's390x'), false],
  ])('%j selected: %s', (platform, selected) => {
    expect(selectedByFilter(platform, filter)).toBe(selected);
  });
});
