import Testing

/// The suites that force kernel paths (`Kernels.withPath`, per thread) or change the process-wide
/// thread count. The path override is thread-local, so other suites never see a forced path; these
/// suites still run one after another so their own timing-sensitive and threading tests don't
/// compete with each other for the two cores.
@Suite(.serialized) enum KernelPathTests {}
