/**
 * Which CPU a native binary is for, read from its header (ELF, Mach-O, PE), so the release and the tests
 * can check that prebuilds/linux-arm64 really holds an aarch64 addon, without `file(1)` or a toolchain.
 */
const { Buffer } = require('node:buffer');
const fs = require('node:fs');

const ELF_MACHINES = { 0x3e: 'x86-64', 0xb7: 'aarch64', 0x03: 'x86', 0x28: 'arm' };
const MACHO_CPUS = { 0x01000007: 'x86-64', 0x0100000c: 'aarch64' };
const PE_MACHINES = { 0x8664: 'x86-64', 0xaa64: 'aarch64', 0x014c: 'x86' };

/** { format: 'elf' | 'mach-o' | 'pe', cpu } (cpu undefined when unknown), or { format: 'unknown' }. */
function machineOf(file) {
  const head = Buffer.alloc(4096);
  const fd = fs.openSync(file, 'r');
  let size;
  try {
    size = fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  const bytes = head.subarray(0, size);
  if (size >= 20 && bytes.readUInt32BE(0) === 0x7f454c46) {
    const machine = bytes[5] === 2 ? bytes.readUInt16BE(18) : bytes.readUInt16LE(18);
    return { format: 'elf', cpu: ELF_MACHINES[machine], bits: bytes[4] === 2 ? 64 : 32 };
  }
  if (size >= 8 && bytes.readUInt32LE(0) === 0xfeedfacf) return { format: 'mach-o', cpu: MACHO_CPUS[bytes.readUInt32LE(4)] };
  if (size >= 8 && bytes.readUInt32BE(0) === 0xcafebabe) {
    // A universal binary: every architecture inside it.
    const count = bytes.readUInt32BE(4);
    const cpus = [];
    for (let i = 0; i < count && 8 + 20 * i + 4 <= size; i++) cpus.push(MACHO_CPUS[bytes.readUInt32BE(8 + 20 * i)]);
    return { format: 'mach-o', cpu: cpus.join('+') };
  }
  if (size >= 64 && bytes.toString('latin1', 0, 2) === 'MZ') {
    const pe = bytes.readUInt32LE(0x3c);
    if (pe + 6 <= size && bytes.readUInt32BE(pe) === 0x50450000) return { format: 'pe', cpu: PE_MACHINES[bytes.readUInt16LE(pe + 4)] };
  }
  return { format: 'unknown' };
}

function describeMachine(file) {
  const { format, cpu } = machineOf(file);
  return format === 'unknown' ? 'not a native binary' : `${format} ${cpu ?? 'unknown CPU'}`;
}

module.exports = { machineOf, describeMachine };
