/**
 * CPU and memory of this process. With `gc` (and --expose-gc), memory is read after two full
 * collections, so that "memory per connection" compares live objects and not garbage.
 */
export function processStats(collect = false) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (collect && gc) {
    gc();
    gc();
  }
  const mem = process.memoryUsage();
  return { cpuUs: cpuUs(), rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external, arrayBuffers: mem.arrayBuffers, collected: Boolean(collect && gc) };
}

export function cpuUs() {
  const cpu = process.cpuUsage();
  return cpu.user + cpu.system;
}
