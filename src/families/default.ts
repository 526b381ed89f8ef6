// The family a fit uses when its options name none. A family's own entry point (`mixem/<family>`,
// scripts/build.mjs) is built with this module replaced by one naming that family.
export const DEFAULT_FAMILY = "gaussian";
