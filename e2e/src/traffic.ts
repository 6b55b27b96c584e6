/** Real requests against the e2e app, so the panel shows real traces. */
export async function generateTraffic(base: string, options: { orders?: number; slow?: number; fails?: number; big?: boolean } = {}): Promise<void> {
  const get = async (path: string) => {
    const res = await fetch(base + path);
    await res.arrayBuffer();
  };
  const jobs: Array<Promise<void>> = [];
  for (let i = 0; i < (options.orders ?? 20); i++) jobs.push(get(`/api/orders/${1000 + i}`));
  for (let i = 0; i < (options.slow ?? 20); i++) jobs.push(get(`/api/slow?ms=${5 + ((i * 37) % 100)}`));
  for (let i = 0; i < (options.fails ?? 3); i++) jobs.push(get('/api/fail'));
  await Promise.all(jobs);
  if (options.big ?? true) await get('/api/big');
}
