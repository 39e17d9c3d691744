// KeelConformance: public law checkers for third-party components. Imports neither XCTest nor
// Testing: every law throws a structured failure, usable from any test framework or executable.
@_exported import KeelCore
@_exported import KeelLayers
@_exported import KeelMonitors
@_exported import KeelOptimizers
