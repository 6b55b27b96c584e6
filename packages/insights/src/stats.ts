/**
 * The statistics the detector uses, written here because they are a few lines each: median and
 * MAD (robust centre and spread), and the binomial and Poisson tails used as significance tests.
 * Tails are summed term by term from the tested value outwards and stop once the terms no longer
 * matter, so a test costs a few dozen terms whatever the count.
 */

/** Median of the values (copied; the input is left alone). NaN for none. */
export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  const a = Float64Array.from(values as ArrayLike<number>).sort();
  const mid = n >> 1;
  return n % 2 ? a[mid]! : (a[mid - 1]! + a[mid]!) / 2;
}

/** Median absolute deviation from the median. Multiply by 1.4826 for a normal-consistent sigma. */
export function mad(values: ArrayLike<number>, centre: number = median(values)): number {
  const n = values.length;
  if (n === 0) return NaN;
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.abs(values[i]! - centre);
  return median(d);
}

/** The factor that makes a MAD estimate the standard deviation of normal data. */
export const MAD_SIGMA = 1.4826;

// Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

function logBinomialPmf(k: number, n: number, p: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/**
 * P(X >= k) for X ~ Binomial(n, p): how surprising `k` errors in `n` requests are when the
 * baseline error rate is `p`.
 *
 * @example
 * binomialUpperTail(30, 100, 0.05); // ~1e-10: 30 errors in 100 is not a 5% error rate
 */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  if (k <= n * p) {
    // at or below the mean: not surprising; sum the lower side and take the complement
    let lower = 0;
    for (let i = k - 1; i >= 0; i--) {
      const t = Math.exp(logBinomialPmf(i, n, p));
      lower += t;
      if (t < lower * 1e-12) break;
    }
    return Math.max(0, 1 - lower);
  }
  let sum = 0;
  for (let i = k; i <= n; i++) {
    const t = Math.exp(logBinomialPmf(i, n, p));
    sum += t;
    if (t < sum * 1e-12) break;
  }
  return Math.min(1, sum);
}

function logPoissonPmf(k: number, lambda: number): number {
  return k * Math.log(lambda) - lambda - logGamma(k + 1);
}

/** P(X >= k) for X ~ Poisson(lambda): a traffic surge test. */
export function poissonUpperTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  if (k <= lambda) return Math.max(0, 1 - poissonLowerTail(k - 1, lambda));
  let sum = 0;
  for (let i = k; ; i++) {
    const t = Math.exp(logPoissonPmf(i, lambda));
    sum += t;
    if (t < sum * 1e-12 || i > k + 1e6) break;
  }
  return Math.min(1, sum);
}

/** P(X <= k) for X ~ Poisson(lambda): a traffic drop test. */
export function poissonLowerTail(k: number, lambda: number): number {
  if (k < 0) return 0;
  if (lambda <= 0) return 1;
  if (k >= lambda) return Math.max(0, 1 - poissonUpperTail(k + 1, lambda));
  let sum = 0;
  for (let i = k; i >= 0; i--) {
    const t = Math.exp(logPoissonPmf(i, lambda));
    sum += t;
    if (t < sum * 1e-12) break;
  }
  return Math.min(1, sum);
}
