// KeelCore: tensors, parameters, random generators, the kernels' Swift face, and the protocols
// that are Keel's extension points.
@_exported import struct Foundation.Data
