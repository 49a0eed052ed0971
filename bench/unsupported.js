// A prepared implementation that runs nothing: every pass is a row saying why.
export function unsupportedCases(reason) {
  const skip = { status: 'unsupported', reason };
  return { cases: { forward: skip, dx: skip, dw: skip }, dispose() {} };
}
