// tfjs-core 4.22's per-file ESM build (dist/**/*.js) imports its siblings without a file
// extension, which Node's ESM resolver refuses. Its Node bundle (the package "main") leaves out
// the gradient registrations, so training needs dist/register_all_gradients.js: this hook adds
// '.js' to extensionless relative imports inside @tensorflow packages, and nothing else.
export async function resolve(specifier, context, nextResolve) {
  if (specifier.startsWith('.') && context.parentURL?.includes('/node_modules/@tensorflow/') && !/\.[cm]?js$/.test(specifier)) {
    try {
      return await nextResolve(`${specifier}.js`, context);
    } catch {
      // fall through to the default resolution
    }
  }
  return nextResolve(specifier, context);
}
