import Testing

/// The suites that force a kernel path, change the thread count or toggle denormal flushing.
///
/// Those settings are process-wide, and these suites compare results bit for bit (packed against
/// unpacked products, in-place against out-of-place activations), so they must not run while
/// another of them has switched the path: `.serialized` on the parent orders all nested suites.
/// Other suites may run alongside; every path is correct within the documented tolerances.
@Suite(.serialized) enum KernelPathTests {}
