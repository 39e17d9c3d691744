import Foundation
import KeelCore
import KeelDoctor
import KeelLayers
import KeelOptimizers
import KeelTrainer
import Testing

/// The template's third-party cell goes through the doctor through the `Cell` protocol alone.
/// `LeakyTanhCell.swift` here is a symbolic link to `Templates/Cell/Sources/LeakyTanhCell/`, so
/// these tests always diagnose the template as shipped.
@Suite struct ThirdPartyCellTests {
    static func model(seed: UInt64) -> SequenceModel<Recurrent<LeakyTanhCell<Double>>> {
        var generator = Xoshiro256StarStar(seed: seed)
        let cell = LeakyTanhCell<Double>(inputSize: 2, hiddenSize: 12, leak: 0.5, seed: seed)
        return SequenceModel(
            recurrent: Recurrent(cell: cell), head: Dense<Double>(inputSize: 12, outputSize: 1, generator: &generator), headOnEveryStep: false)
    }

    @Test func theDoctorExaminesATemplateCellModelEndToEnd() throws {
        let doctor = StabilityDoctor(
            model: Self.model(seed: 21), loss: MeanSquaredError<Double>(), source: addingBatches(count: 4, steps: 30, batch: 8, seed: 22),
            configuration: .init(rangeTestSteps: 30, trialSteps: 30, normProbeSteps: 10))
        let sgd = OptimizerCandidate(name: "sgd", transform: AnyGradientTransform(SGD<Double>(learningRate: 0.05)), nominalLearningRate: 0.05)
        let (diagnosis, prescription) = try doctor.examine(
            setup: TrainingSetup(recurrence: .other, optimizer: "sgd", learningRate: 0.05, clips: false), candidates: [sgd])
        #expect(diagnosis.recurrentWeights.map(\.key) == ["recurrent.weightHH"])
        #expect(diagnosis.cells.map(\.path) == ["recurrent"])
        #expect(diagnosis.cells[0].gateSaturation == nil)
        #expect(diagnosis.profiles.count == 1 && diagnosis.profiles[0].norms.count == 30)
        #expect(diagnosis.rangeTests.count == 1 && diagnosis.normProbe != nil)
        #expect(Set(prescription.items.map(\.topic)) == Set(Prescription.Topic.allCases))
    }

    /// The measured radius equals ρ(∂hₜ/∂hₜ₋₁) of the Jacobian built independently: columns by
    /// central finite differences of `step` (not `backwardStep`), its spectral radius by
    /// `ScaledToSpectralRadius.estimateSpectralRadius`.
    @Test func theJacobianRadiusMatchesAFiniteDifferenceJacobian() throws {
        let model = Self.model(seed: 23)
        let cell = model.recurrent.cell
        let batch: Batch<Double> = (addingBatches(count: 1, steps: 8, batch: 1, seed: 24) as FixedBatches<Double>).batches[0]
        let doctor = StabilityDoctor(
            model: model, loss: MeanSquaredError<Double>(), source: FixedBatches(batches: [batch]),
            configuration: .init(jacobianSamples: 1, jacobianIterations: 400, jacobianSequences: 1))
        let measured = try #require(doctor.examineInitialization().cells.first)
        #expect(measured.sampledSteps == [7])
        // The state before step 7, then J = ∂h₇/∂h₆ column by column.
        var state = cell.zeroState(batchSize: 1)
        for t in 0..<7 { state = cell.step(batch.inputs[t], state: state).state }
        let hidden = cell.hiddenSize, h = 1e-6
        var jacobian = [Double](repeating: 0, count: hidden * hidden)
        for column in 0..<hidden {
            var plus = state.scalars, minus = state.scalars
            plus[column] += h
            minus[column] -= h
            let up = cell.step(batch.inputs[7], state: Tensor(shape: [1, hidden], scalars: plus)).state.scalars
            let down = cell.step(batch.inputs[7], state: Tensor(shape: [1, hidden], scalars: minus)).state.scalars
            for row in 0..<hidden { jacobian[row * hidden + column] = (up[row] - down[row]) / (2 * h) }
        }
        let reference = ScaledToSpectralRadius<Orthogonal>.estimateSpectralRadius(Tensor<Double>(shape: [hidden, hidden], scalars: jacobian))
        #expect(abs(measured.jacobianRadius - reference) < 0.02 * reference, "measured \(measured.jacobianRadius), reference \(reference)")
    }
}
