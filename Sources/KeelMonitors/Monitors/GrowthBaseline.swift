/// The reference a growth detector compares the current value against.
public enum GrowthBaseline: String, Sendable, Codable, Hashable {
    /// The smallest value in the window: catches sustained growth (×100 from the window's low point,
    /// e.g. exponential growth of 1.6× per step over 10 steps).
    case minimum
    /// The window's median (NumPy `linear`): catches sudden spikes over typical values and ignores
    /// an unusually small outlier in the window.
    case median
}
