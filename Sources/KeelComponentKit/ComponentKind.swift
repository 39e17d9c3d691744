/// The kinds of component a template exists for.
public enum ComponentKind: String, CaseIterable, Sendable {
    case clipper
    case optimizer
    case cell
    case initializer
    case monitor

    /// Parses a kind, accepting a few spellings (`gradient-clipper`, `GradientClipper`).
    public init?(argument: String) {
        let normalized = argument.lowercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
        switch normalized {
        case "clipper", "gradientclipper": self = .clipper
        case "optimizer": self = .optimizer
        case "cell", "recurrentcell": self = .cell
        case "initializer": self = .initializer
        case "monitor": self = .monitor
        default: return nil
        }
    }

    /// The Keel products the component's target must depend on.
    public var sourceProducts: [String] {
        switch self {
        case .clipper: ["KeelCore", "KeelOptimizers"]
        case .optimizer, .cell, .initializer, .monitor: ["KeelCore"]
        }
    }
}
