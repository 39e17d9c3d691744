import Foundation

/// Numbers in a finding, with four significant digits ("1.208e+07 grew 4.101e+06×"): the
/// findings are read on the console, in logs and in the report's event table, where the 17
/// digits of a `Double`'s description are noise.
func findingNumber(_ value: Double) -> String { String(format: "%.4g", value) }
