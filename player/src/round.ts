// Rounding of the stats' millisecond figures to 0.1 ms, for every module that reports one (receivers, the sync probe, the engine).

/** Milliseconds as the stats show them: rounded to 0.1. */
export const round1 = (x: number): number => Math.round(x * 10) / 10;
