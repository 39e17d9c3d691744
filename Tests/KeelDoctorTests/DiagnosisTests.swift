import Foundation
import KeelCore
import KeelDoctor
import KeelLayers
import KeelOptimizers
import KeelTrainer
import Testing

@Suite struct DiagnosisTests {
    /// A vanishing set-up: a tanh RNN whose W_hh has spectral radius 0.5, on a task whose
    /// dependency spans the whole 40-step sequence.
    static func vanishing() -> StabilityDoctor<SequenceModel<Recurrent<RNNCell<Double>>>, MeanSquaredError<Double>, FixedBatches<Double>> {
        StabilityDoctor(
            model: rnnModel(hidden: 16, radius: 0.5, seed: 1), loss: MeanSquaredError<Double>(),
            source: addingBatches(count: 4, steps: 40, batch: 8, seed: 2))
    }

    /// An exploding set-up: a tanh RNN in its linear regime (zero biases, inputs of 10⁻⁴) whose
    /// W_hh is orthogonal × 1.5, so ∂hₜ/∂hₜ₋₁ ≈ 1.5·Q.
    static func exploding() -> StabilityDoctor<SequenceModel<Recurrent<RNNCell<Double>>>, MeanSquaredError<Double>, FixedBatches<Double>> {
        StabilityDoctor(
            model: rnnModel(hidden: 16, radius: 1.5, seed: 3, zeroBiases: true), loss: MeanSquaredError<Double>(),
            source: addingBatches(count: 4, steps: 12, batch: 8, seed: 4, inputScale: 1e-4))
    }

    static let tanhSGD = TrainingSetup(recurrence: .tanh, optimizer: "sgd", learningRate: 0.05, clips: false)

    @Test func aVanishingProfileHasAHorizonShorterThanTheLagAndPrescribesAGatedCell() {
        let diagnosis = Self.vanishing().examineInitialization()
        let profile = try! #require(diagnosis.firstProfile)
        let horizon = try! #require(profile.horizon)
        #expect(horizon < 40)
        #expect(profile.ratePerStep < 0.9)
        #expect(diagnosis.vanishes && !diagnosis.explodes)
        #expect(!diagnosis.explosionPossible)  // σ_max = 0.5 < 1/γ
        let prescription = Prescription(setup: Self.tanhSGD, diagnosis: diagnosis)
        #expect(prescription.cell == .gated)
        #expect(prescription.initialization == .orthogonal(spectralRadius: 1))
        #expect(prescription.vanishingGradientRegularizer == nil)
        let cellItem = try! #require(prescription.items.first { $0.topic == .cell })
        #expect(cellItem.changes && cellItem.evidence.contains("after \(horizon) steps"))
    }

    @Test func aVanishingProfileGetsTheRegularizerWhenTheCellMustStay() {
        let diagnosis = Self.vanishing().examineInitialization()
        let prescription = Prescription(setup: Self.tanhSGD, diagnosis: diagnosis, policy: .init(allowsCellChange: false))
        #expect(prescription.cell == .keep)
        #expect(prescription.vanishingGradientRegularizer == 2)
    }

    @Test func anExplodingProfileGrowsBackwardsAndPrescribesAnOrthogonalInitialization() {
        let diagnosis = Self.exploding().examineInitialization()
        let cell = try! #require(diagnosis.cells.first)
        #expect(abs(cell.jacobianRadius - 1.5) < 0.05, "radius \(cell.jacobianRadius)")
        #expect(diagnosis.explosionPossible)
        #expect(abs(diagnosis.recurrentWeights[0].largestSingularValue - 1.5) < 1e-6)
        let profile = try! #require(diagnosis.firstProfile)
        #expect(profile.explodes, "profile \(profile.norms)")
        #expect(profile.ratePerStep > 1.3)
        let prescription = Prescription(setup: Self.tanhSGD, diagnosis: diagnosis)
        #expect(prescription.initialization == .orthogonal(spectralRadius: 1))
        #expect(prescription.cell == .keep)
    }

    @Test func aReLURecurrenceIsPrescribedTheIdentity() {
        let doctor = StabilityDoctor(
            model: rnnModel(hidden: 8, radius: 1.2, nonlinearity: .relu, seed: 5), loss: MeanSquaredError<Double>(),
            source: addingBatches(count: 2, steps: 10, batch: 4, seed: 6))
        let setup = TrainingSetup(recurrence: .relu, optimizer: "sgd", learningRate: 0.01, clips: true)
        #expect(Prescription(setup: setup, diagnosis: doctor.examineInitialization()).initialization == .identity)
    }

    @Test func aHealthySetUpKeepsItsStructure() {
        // An orthogonal tanh RNN on a 6-step task: the gradient reaches back over the whole lag.
        let doctor = StabilityDoctor(
            model: rnnModel(hidden: 16, radius: 1, seed: 7), loss: MeanSquaredError<Double>(),
            source: addingBatches(count: 2, steps: 6, batch: 8, seed: 8))
        let setup = TrainingSetup(recurrence: .tanh, initialization: "orthogonal", optimizer: "adam", learningRate: 1e-3, clips: true)
        let prescription = Prescription(setup: setup, diagnosis: doctor.examineInitialization())
        #expect(!prescription.changesStructure, "\(prescription.items)")
    }

    @Test func theGradientFlowProfileOfAGeometricDecayHasTheExpectedHorizonAndRate() {
        let rate = 0.7
        let norms = (0..<60).map { Foundation.pow(rate, Double(59 - $0)) }
        let profile = GradientFlowProfile(layer: "layer", norms: norms)
        // The first lag k with rateᵏ < 10⁻³.
        let expected = Int(Foundation.ceil(Foundation.log(1e-3) / Foundation.log(rate)))
        #expect(profile.horizon == expected)
        #expect(abs(profile.ratePerStep - rate) < 1e-9)
        #expect(!profile.explodes)
        let growing = GradientFlowProfile(layer: "layer", norms: norms.reversed())
        #expect(growing.horizon == nil && growing.explodes && abs(growing.ratePerStep - 1 / rate) < 1e-9)
    }

    @Test func aPerStepModelWithAShortHorizonIsPrescribedTruncatedBPTT() {
        // A tanh RNN at radius 0.5 with a head on every step, on 60-step sequences.
        var model = rnnModel(hidden: 16, radius: 0.5, seed: 9) as SequenceModel<Recurrent<RNNCell<Double>>>
        model = SequenceModel(recurrent: model.recurrent, head: model.head, headOnEveryStep: true)
        var generator = Xoshiro256StarStar(seed: 10)
        let batches = (0..<2).map { _ in
            Batch<Double>(inputs: Tensor(randomNormal: [60, 4, 2], using: &generator), targets: Tensor(randomNormal: [60, 4, 1], using: &generator))
        }
        let doctor = StabilityDoctor(model: model, loss: MeanSquaredError<Double>(), source: FixedBatches(batches: batches))
        let diagnosis = doctor.examineInitialization()
        let horizon = try! #require(diagnosis.firstProfile?.horizon)
        #expect(horizon < 30)
        let setup = TrainingSetup(recurrence: .tanh, optimizer: "adam", learningRate: 1e-3, clips: true, outputsSequence: true)
        let prescription = Prescription(setup: setup, diagnosis: diagnosis, policy: .init(allowsCellChange: false))
        #expect(prescription.truncation == max(2 * horizon, 8))
        // A last-step model is never truncated.
        let lastStep = Prescription(
            setup: TrainingSetup(recurrence: .tanh, optimizer: "adam", learningRate: 1e-3, clips: true), diagnosis: diagnosis,
            policy: .init(allowsCellChange: false))
        #expect(lastStep.truncation == nil)
    }
}
