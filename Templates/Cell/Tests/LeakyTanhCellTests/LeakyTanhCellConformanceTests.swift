import KeelConformance
import LeakyTanhCell
import Testing

/// LeakyTanhCell keeps every cell law (finite differences in Double, Recurrent equals manual
/// steps, zeroState shape, stable keys, no NaN over 1,000 steps).
@Suite struct LeakyTanhCellConformanceTests {
    // ∂hₜ/∂hₜ₋₁ = (1 − α)·I + α·diag(tanh′)·W_hh with |W_hh| ≤ 1/√H: the cell promises ρ ≤ 1 at
    // initialisation, and the suite measures it.
    static let suite = CellConformance(LeakyTanhCell<Double>(inputSize: 3, hiddenSize: 4, seed: 1), jacobianBound: 1)

    @Test(arguments: CellLaw.allCases)
    func cellLaw(_ law: CellLaw) throws {
        try Self.suite.check(law)
    }
}
