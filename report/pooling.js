/* The review's pooling engine (src/alsreview/synthesis/pooling.py) in plain JavaScript, for the explorer's
   pooling panel: inverse-variance fixed effect; random effects with REML tau²; Wald, Hartung-Knapp and
   Hartung-Knapp with the ad hoc floor at the Wald variance; I² and the prediction interval as metafor (and
   pooling.py) compute them. Then the review's rule for which contrast of each trial is pooled and on what
   measure (trial_pooling.pooled_trials), and its favours rule (data/favours.py).
   No DOM here: the page uses it as window.alsPooling, the tests also load it in Node. */
(function (root) {
  "use strict";

  const Z95 = 1.959963984540054;  // pooling.Z95
  const TAU2_XTOL = 1e-10;  // pooling.SETTINGS["tau2_xtol"]
  const REFINE_BRACKET = 1e-4;  // pooling.SETTINGS["refine_bracket"]
  const EPS = 2.220446049250313e-16;

  /* --- Student's t quantile ---------------------------------------------------------------------------------- */

  // log Γ(x), x > 0: Lanczos (g = 7, 9 terms), about 1e-15 relative; reflection is not needed for t.
  const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  function logGamma(x) {
    if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
    x -= 1;
    let sum = LANCZOS[0];
    for (let i = 1; i < 9; i++) sum += LANCZOS[i] / (x + i);
    const t = x + 7.5;
    return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
  }

  // Continued fraction of the incomplete beta (modified Lentz), converging for x < (a + 1) / (a + b + 2).
  function betaFraction(a, b, x) {
    const tiny = 1e-300;
    let c = 1, d = 1 - (a + b) * x / (a + 1);
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    let h = d;
    for (let m = 1; m <= 1000; m++) {
      const m2 = 2 * m;
      let step = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
      d = 1 + step * d; d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + step / c; if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
      step = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
      d = 1 + step * d; d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + step / c; if (Math.abs(c) < tiny) c = tiny;
      const delta = d * c;
      h *= delta;
      if (Math.abs(delta - 1) < EPS) break;
    }
    return h;
  }

  // Regularized incomplete beta I_x(a, b); y = 1 - x may be passed when the caller knows it more precisely.
  function incompleteBeta(x, a, b, y) {
    const rest = y === undefined ? 1 - x : y;
    if (x <= 0) return 0;
    if (rest <= 0) return 1;
    const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(rest));
    if (x < (a + 1) / (a + b + 2)) return front * betaFraction(a, b, x) / a;
    return 1 - front * betaFraction(b, a, rest) / b;
  }

  // P(T > t) for t >= 0, with df degrees of freedom: half of I_{df/(df+t²)}(df/2, 1/2), computed on the tail so
  // that an upper quantile keeps its precision.
  function tUpperTail(t, df) {
    return 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5, t * t / (df + t * t));
  }

  function tDensity(t, df) {
    return Math.exp(logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI)
      - (df + 1) / 2 * Math.log1p(t * t / df));
  }

  // The p quantile of Student's t: Newton's method on the upper tail, kept inside a bracket that bisection
  // shrinks whenever a Newton step would leave it (so it converges from any start).
  function tQuantile(p, df) {
    if (!(p > 0 && p < 1) || !(df > 0)) return NaN;
    if (p === 0.5) return 0;
    const tail = Math.min(p, 1 - p);
    let low = 0, high = 1;
    while (tUpperTail(high, df) > tail) { low = high; high *= 2; }
    let t = (low + high) / 2;
    for (let i = 0; i < 200; i++) {
      const excess = tUpperTail(t, df) - tail;  // > 0: t is too small
      if (excess > 0) low = t; else high = t;
      let next = t + excess / tDensity(t, df);
      if (!(next > low && next < high)) next = (low + high) / 2;
      const done = Math.abs(next - t) <= 4 * EPS * Math.abs(next);
      t = next;
      if (done || high - low <= 4 * EPS * high) break;
    }
    return p > 0.5 ? t : -t;
  }

  // Options over defaults, where an option left undefined keeps its default.
  function withDefaults(defaults, options) {
    const out = Object.assign({}, defaults);
    for (const key of Object.keys(options || {})) if (options[key] !== undefined) out[key] = options[key];
    return out;
  }

  /* --- the engine (pooling.py) ----------------------------------------------------------------------------------- */

  function sum(values) {
    let total = 0;
    for (const v of values) total += v;
    return total;
  }

  function fixedMean(effects, variances, tau2) {
    const weights = variances.map((v) => 1 / (v + tau2));
    const total = sum(weights);
    return {mean: sum(weights.map((w, i) => w * effects[i])) / total, weights, total};
  }

  function cochranQ(effects, variances) {
    const {mean, weights} = fixedMean(effects, variances, 0);
    return sum(weights.map((w, i) => w * (effects[i] - mean) ** 2));
  }

  function sampleVariance(values) {
    const mean = sum(values) / values.length;
    return sum(values.map((v) => (v - mean) ** 2)) / (values.length - 1);
  }

  // scipy.optimize.minimize_scalar(method="bounded"): Brent's golden-section search with parabolic steps, as
  // pooling.py calls it, so the two stop at the same place.
  function minimizeBounded(f, a, b, xatol, maxiter) {
    const sqrtEps = Math.sqrt(2.2e-16);
    const golden = 0.5 * (3 - Math.sqrt(5));
    let fulc = a + golden * (b - a);
    let nfc = fulc, xf = fulc, rat = 0, e = 0;
    let fx = f(xf), ffulc = fx, fnfc = fx, num = 1;
    let xm = 0.5 * (a + b);
    let tol1 = sqrtEps * Math.abs(xf) + xatol / 3, tol2 = 2 * tol1;
    while (Math.abs(xf - xm) > tol2 - 0.5 * (b - a)) {
      let goldenStep = true;
      if (Math.abs(e) > tol1) {
        goldenStep = false;
        let r = (xf - nfc) * (fx - ffulc);
        let q = (xf - fulc) * (fx - fnfc);
        let p = (xf - fulc) * q - (xf - nfc) * r;
        q = 2 * (q - r);
        if (q > 0) p = -p;
        q = Math.abs(q);
        r = e;
        e = rat;
        if (Math.abs(p) < Math.abs(0.5 * q * r) && p > q * (a - xf) && p < q * (b - xf)) {
          rat = p / q;
          const x = xf + rat;
          if (x - a < tol2 || b - x < tol2) rat = tol1 * (Math.sign(xm - xf) + (xm - xf === 0 ? 1 : 0));
        } else {
          goldenStep = true;
        }
      }
      if (goldenStep) {
        e = xf >= xm ? a - xf : b - xf;
        rat = golden * e;
      }
      const x = xf + (Math.sign(rat) + (rat === 0 ? 1 : 0)) * Math.max(Math.abs(rat), tol1);
      const fu = f(x);
      num += 1;
      if (fu <= fx) {
        if (x >= xf) a = xf; else b = xf;
        fulc = nfc; ffulc = fnfc;
        nfc = xf; fnfc = fx;
        xf = x; fx = fu;
      } else {
        if (x < xf) a = x; else b = x;
        if (fu <= fnfc || nfc === xf) {
          fulc = nfc; ffulc = fnfc;
          nfc = x; fnfc = fu;
        } else if (fu <= ffulc || fulc === xf || fulc === nfc) {
          fulc = x; ffulc = fu;
        }
      }
      xm = 0.5 * (a + b);
      tol1 = sqrtEps * Math.abs(xf) + xatol / 3;
      tol2 = 2 * tol1;
      if (num >= maxiter) break;
    }
    return xf;
  }

  function negativeRestrictedLoglik(effects, variances) {
    return (tau2) => {
      const {mean, weights, total} = fixedMean(effects, variances, tau2);
      return 0.5 * (sum(variances.map((v) => Math.log(v + tau2))) + Math.log(total)
        + sum(weights.map((w, i) => w * (effects[i] - mean) ** 2)));
    };
  }

  // Twice the derivative of the restricted log-likelihood in tau² (pooling.reml_tau2's score).
  function restrictedScore(effects, variances) {
    return (tau2) => {
      const {mean, weights, total} = fixedMean(effects, variances, tau2);
      const squares = sum(weights.map((w) => w * w));
      return sum(weights.map((w, i) => w * w * (effects[i] - mean) ** 2)) - (total - squares / total);
    };
  }

  // pooling._refine: bisection on the score's sign next to where the bounded search stopped, which alone stops
  // up to about 1e-6 of tau² from the maximum where the likelihood is flat.
  function refine(score, start, upper, xtol) {
    const half = Math.max(REFINE_BRACKET * start, xtol * Math.max(upper, 1));
    let low = Math.max(0, start - half), high = Math.min(upper, start + half);
    if (!(score(low) > 0 && score(high) < 0)) return start;
    for (;;) {
      const middle = 0.5 * (low + high);
      if (middle === low || middle === high) return middle;
      if (score(middle) > 0) low = middle; else high = middle;
    }
  }

  // REML tau² over tau² >= 0, as pooling.py finds it: a bounded Brent search on [0, upper], zero when zero is
  // at least as likely, else the root of the score equation beside the search's answer.
  function remlTau2(effects, variances, xtol) {
    const tolerance = xtol || TAU2_XTOL;
    const f = negativeRestrictedLoglik(effects, variances);
    const upper = Math.max(10 * sampleVariance(effects) + Math.max.apply(null, variances), 1e-8);
    const best = minimizeBounded(f, 0, upper, tolerance * Math.max(upper, 1), 500);
    if (!(f(best) < f(0))) return 0;
    return refine(restrictedScore(effects, variances), best, upper, tolerance);
  }

  function heterogeneity(effects, variances, tau2, fixedEffect) {
    const k = effects.length;
    const q = cochranQ(effects, variances);
    if (k < 2) return {q, df: 0, i2: 0, h2: 1};
    if (fixedEffect) return {q, df: k - 1, i2: q > 0 ? Math.max(0, (q - (k - 1)) / q) : 0, h2: q / (k - 1)};
    const weights = variances.map((v) => 1 / v);
    const total = sum(weights);
    const typical = (k - 1) * total / (total ** 2 - sum(weights.map((w) => w * w)));
    return {q, df: k - 1, i2: tau2 / (tau2 + typical), h2: (tau2 + typical) / typical};
  }

  function randomEffects(effects, variances, tau2, interval, z95) {
    const k = effects.length;
    const {mean, weights, total} = fixedMean(effects, variances, tau2);
    const waldSe = Math.sqrt(1 / total);
    let se = waldSe, quantile = z95 || Z95;
    if ((interval === "knha" || interval === "hksj") && k >= 2) {
      se = Math.sqrt(sum(weights.map((w, i) => w * (effects[i] - mean) ** 2)) / ((k - 1) * total));
      if (interval === "hksj") se = Math.max(se, waldSe);
      quantile = tQuantile(0.975, k - 1);
    }
    const halfPi = quantile * Math.sqrt(tau2 + se * se);
    return {
      re_estimate: mean, re_se: se, re_ci_lower: mean - quantile * se, re_ci_upper: mean + quantile * se,
      pi_lower: k >= 3 ? mean - halfPi : null, pi_upper: k >= 3 ? mean + halfPi : null, weights, quantile,
    };
  }

  // pooling.pool for the panel's models: tau2 "fe" or "reml", interval "wald", "knha" or "hksj".
  function pool(effects, variances, options) {
    const opts = withDefaults({tau2: "reml", interval: "hksj", z95: Z95, xtol: TAU2_XTOL}, options);
    const fe = fixedMean(effects, variances, 0);
    const feSe = Math.sqrt(1 / fe.total);
    const tau2 = opts.tau2 === "fe" ? 0 : remlTau2(effects, variances, opts.xtol);
    return Object.assign({
      k: effects.length, fe_estimate: fe.mean, fe_se: feSe,
      fe_ci_lower: fe.mean - opts.z95 * feSe, fe_ci_upper: fe.mean + opts.z95 * feSe,
    }, randomEffects(effects, variances, tau2, opts.interval, opts.z95),
    heterogeneity(effects, variances, tau2, opts.tau2 === "fe"), {tau2});
  }

  /* --- the review's rules -------------------------------------------------------------------------------------- */

  const FAVOURS = {exercise: "favours exercise", control: "favours control", none: "no clear difference",
    unknown: "not known: scale direction not recorded"};

  // data/favours.py: a result favours exercise only when its whole CI lies on the side the scale calls better.
  function favours(lower, upper, better, words) {
    const w = words || FAVOURS;
    if (better !== "higher" && better !== "lower") return w.unknown;
    let above;
    if (lower > 0) above = true;
    else if (upper < 0) above = false;
    else return w.none;
    return above === (better === "higher") ? w.exercise : w.control;
  }

  // trial_pooling.pooled_trials: one contrast per trial, on the scale most of the trials share (ties keep the
  // rows' order), then the trial's first row; the others are listed as not used.
  function oneContrastPerTrial(contrasts) {
    const trialsOn = new Map();
    for (const c of contrasts) {
      if (!trialsOn.has(c.scale)) trialsOn.set(c.scale, new Set());
      trialsOn.get(c.scale).add(c.study_id);
    }
    const ranked = contrasts.map((c, i) => [c, i])
      .sort((x, y) => (trialsOn.get(y[0].scale).size - trialsOn.get(x[0].scale).size) || (x[1] - y[1]))
      .map((pair) => pair[0]);
    const seen = new Set(), chosen = [], unused = [];
    for (const c of ranked) {
      if (seen.has(c.study_id)) unused.push(c);
      else { seen.add(c.study_id); chosen.push(c); }
    }
    return {chosen, unused};
  }

  // What the review would pool from these contrasts, and with which model: the chosen rows with their
  // effects on the pooled measure, and the result (null below two trials, or when the scales cannot be combined).
  function analyse(contrasts, options) {
    const opts = withDefaults({tau2: "reml", interval: "hksj", z95: Z95, xtol: TAU2_XTOL, words: FAVOURS,
      meanDifference: "mean difference", standardised: "standardised mean difference"}, options);
    const {chosen, unused} = oneContrastPerTrial(contrasts);
    const scales = new Set(chosen.map((c) => c.scale));
    let measure = opts.meanDifference, better = chosen.length ? chosen[0].better : "";
    let rows = chosen.map((c) => Object.assign({}, c, {pooled_effect: c.effect, pooled_variance: c.variance}));
    if (scales.size > 1) {
      measure = opts.standardised;
      better = "higher";
      const missing = chosen.filter((c) => c.smd == null || c.smd_variance == null);
      if (missing.length) return {status: "scales", measure, better, rows, unused, missing, result: null};
      rows = chosen.map((c) => Object.assign({}, c, {pooled_effect: c.smd, pooled_variance: c.smd_variance}));
    }
    for (const r of rows) {
      const se = Math.sqrt(r.pooled_variance);
      r.ci_lower = r.pooled_effect - opts.z95 * se;
      r.ci_upper = r.pooled_effect + opts.z95 * se;
    }
    if (rows.length < 2) return {status: rows.length ? "single" : "none", measure, better, rows, unused, result: null};
    const result = pool(rows.map((r) => r.pooled_effect), rows.map((r) => r.pooled_variance), opts);
    const totalWeight = sum(result.weights);
    rows.forEach((r, i) => { r.weight = result.weights[i] / totalWeight; });
    result.favours = favours(result.re_ci_lower, result.re_ci_upper, better, opts.words);
    return {status: "pooled", measure, better, rows, unused, result};
  }

  const api = {Z95, TAU2_XTOL, REFINE_BRACKET, FAVOURS, logGamma, incompleteBeta, tUpperTail, tQuantile, minimizeBounded, remlTau2,
    cochranQ, heterogeneity, randomEffects, pool, favours, oneContrastPerTrial, analyse};
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.alsPooling = api;
})(typeof self !== "undefined" ? self : this);
