/// How a weight tensor is divided into the units whose norms adaptive gradient clipping compares.
///
/// A unit is one output neuron: all weights feeding it. Keel (like PyTorch and MLX) stores a
/// dense weight as `[out, in]`, so units are rows, `unitsAlongAxis(0)`. Optax's AGC assumes
/// Flax's `[in, out]` (units are columns, its reduction over axis 0); declare
/// `unitsAlongAxis(1)` for weights stored that way.
public enum UnitLayout: Sendable, Hashable, Codable {
    /// The whole tensor is one unit (biases, gains, scalars).
    case wholeTensor
    /// Each index along the axis is one unit; its norm is taken over all other axes.
    case unitsAlongAxis(Int)
    /// The tensor is not clipped (NFNets leaves the final classifier unclipped).
    case unclipped

    /// Rows are units: the layout of an `[out, in]` weight, `unitsAlongAxis(0)`.
    public static let outputRows = UnitLayout.unitsAlongAxis(0)

    /// The default layout for a tensor of `shape`: ``outputRows`` for rank ≥ 2 (Keel weights are
    /// `[out, in…]`), ``wholeTensor`` for rank ≤ 1.
    public static func `default`(for shape: [Int]) -> UnitLayout {
        shape.count >= 2 ? .outputRows : .wholeTensor
    }
}
