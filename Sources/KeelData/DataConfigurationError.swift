/// A data source was configured with values it cannot work with (a sequence too short for the
/// task's marker positions, a batch size larger than the data, a column that is not numeric).
///
/// Thrown by initializers, since these values often come from the command line or a
/// configuration file; the message names the parameter and says what is wrong.
public struct DataConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The offending parameter, as spelled in the initializer.
    public let parameter: String
    /// What is wrong with it.
    public let reason: String

    /// An error naming `parameter` (as spelled in the initializer) and saying what is wrong with it.
    public init(parameter: String, reason: String) {
        self.parameter = parameter
        self.reason = reason
    }

    public var description: String { "invalid \(parameter): \(reason)" }
}
