/// The kinds of component a template exists for.
public enum ComponentKind: String, CaseIterable, Sendable {
    case clipper
    case optimizer
    case cell
    case initializer
    case monitor
    case layer
    case transform

    /// Parses a kind, accepting a few spellings (`gradient-clipper`, `GradientClipper`).
    public init?(argument: String) {
        let normalized = argument.lowercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
        switch normalized {
        case "clipper", "gradientclipper": self = .clipper
        case "optimizer": self = .optimizer
        case "cell", "recurrentcell": self = .cell
        case "initializer": self = .initializer
        case "monitor": self = .monitor
        case "layer": self = .layer
        case "transform", "gradienttransform": self = .transform
        default: return nil
        }
    }

    /// The Keel products the component's target must depend on.
    public var sourceProducts: [String] {
        switch self {
        case .clipper: ["KeelCore", "KeelOptimizers"]
        case .optimizer, .cell, .initializer, .monitor, .layer, .transform: ["KeelCore"]
        }
    }
}
