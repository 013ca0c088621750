/** Python's printf-style '%.Ng' (the reference prints its tables with '%11.3g'), ties rounded half to even. */

/** Significant digits of v rounded to `precision`, half to even on exact ties: [digits, exponent]. */
function roundSignificant(v: number, precision: number): [string, number] {
  const [mantissa, exp] = v.toExponential(precision - 1).split('e');
  let digits = mantissa.replace('.', '').replace('-', '');
  let exponent = Number(exp);
  // toExponential rounds exact ties up; Python rounds them to even. Look at the exact expansion.
  const exact = Math.abs(v)
    .toExponential(Math.min(100, precision + 60))
    .split('e')[0]
    .replace('.', '');
  const rest = exact.slice(precision);
  if (/^50*$/.test(rest)) {
    const kept = exact.slice(0, precision);
    if (Number(kept[kept.length - 1]) % 2 === 0) {
      digits = kept;
      exponent = Number(
        Math.abs(v)
          .toExponential(Math.min(100, precision + 60))
          .split('e')[1],
      );
    }
  }
  return [digits, exponent];
}

export function formatG(v: number, precision = 6): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const p = Math.max(precision, 1);
  const sign = v < 0 ? '-' : '';
  const [digits, exp] = roundSignificant(v, p);
  const strip = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= p) {
    const mant = strip(digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  let fixed: string;
  if (exp >= 0) {
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    fixed = frac ? `${intPart}.${frac}` : intPart;
  } else {
    fixed = `0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  return sign + strip(fixed);
}

/** Python's '{:.Nf}': like toFixed, but exact ties round half to even. */
export function formatFixed(v: number, digits: number): string {
  const out = v.toFixed(digits);
  const exact = v.toFixed(Math.min(100, digits + 60));
  const rest = exact.slice(exact.length - 60);
  if (!/^50*$/.test(rest)) return out;
  const down = exact.slice(0, exact.length - 60).replace(/\.$/, '');
  const last = Number(down[down.length - 1]);
  return last % 2 === 0 ? down : out;
}
