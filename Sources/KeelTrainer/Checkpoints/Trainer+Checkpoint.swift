import Foundation

extension Trainer {
    /// The file names inside a checkpoint directory.
    public static var checkpointFileNames: (weights: String, trainerState: String, manifest: String) {
        ("weights.safetensors", "trainer.json", "manifest.json")
    }

    /// Writes a checkpoint directory at `path`, atomically, with `extraFiles` (name → bytes)
    /// beside the trainer's own files as part of the same unit.
    ///
    /// The directory holds `weights.safetensors` (parameters and buffers under their keys, in
    /// the safetensors format; `__metadata__` lists the buffer keys and the step),
    /// `trainer.json` (step, cursor, generator, pipeline state, monitors, learning-rate scale,
    /// plateau and early-stopping state, rollback count, skipped batches), the extra files and,
    /// written last, `manifest.json` (size and FNV-1a checksum of every file, and of itself).
    /// Everything is written and fsynced into a sibling staging directory that then replaces
    /// `path` in one step (see ``CheckpointDirectory``): a crash at any moment leaves a complete
    /// checkpoint, the old or the new. The rollback ring is not saved: a resumed trainer starts a
    /// new ring.
    ///
    /// - Throws: ``CheckpointError/nonFiniteWeights(file:key:)`` when a parameter or buffer holds
    ///   NaN or ±∞ (nothing is written: a checkpoint never stores a diverged model), and
    ///   ``CheckpointError/cannotWrite(path:detail:)``; `path` is unchanged after either.
    public func saveCheckpoint(to path: String, extraFiles: [String: [UInt8]] = [:]) throws {
        let names = Self.checkpointFileNames
        let tensors = checkpointTensors()
        for (key, tensor) in tensors where tensor.nonFiniteCount > 0 {
            throw CheckpointError.nonFiniteWeights(file: names.weights, key: key.rawValue)
        }
        let weights = SafeTensors.encode(tensors, metadata: [
            "format": "keel-checkpoint-weights",
            "step": String(progress.step),
            "buffers": bufferKeys().map(\.rawValue).joined(separator: ","),
        ])
        let state = try encodedTrainerState()
        var files: [(name: String, bytes: [UInt8])] = [(names.weights, weights), (names.trainerState, state)]
        for name in extraFiles.keys.sorted() {
            precondition(name != names.weights && name != names.trainerState && name != names.manifest, "Trainer.saveCheckpoint: extra file \(name) collides with a checkpoint file")
            files.append((name, extraFiles[name]!))
        }
        try CheckpointDirectory.write(files, step: progress.step, to: path)
        try emit(.checkpointSaved(CheckpointRecord(step: progress.step, path: URL(fileURLWithPath: path).standardizedFileURL.path)))
    }

    /// Restores the trainer from the checkpoint directory at `path`: parameters, buffers,
    /// pipeline state, monitors' states, generator, cursor, step and the rest of
    /// ``saveCheckpoint(to:extraFiles:)``'s list. A subsequent ``fit(epochs:source:validation:maxSteps:)``
    /// continues to exactly the parameters an uninterrupted run reaches.
    ///
    /// Everything is read and validated before anything changes: on a thrown ``CheckpointError``
    /// the trainer is untouched.
    ///
    /// - Parameters:
    ///   - path: the checkpoint directory.
    ///   - registry: decodes the saved `MonitorSet`'s members; `nil` uses
    ///     ``monitorRegistry`` (the built-ins plus the types of this trainer's members). The saved
    ///     members' types must equal this trainer's, in order.
    ///   - transformStateDecoders: decoders for the states of `AnyGradientTransform` members of
    ///     the pipeline (`AnyTransformStateDecoders([clipper, optimizer])`); needed only when the
    ///     pipeline holds erased transforms.
    public mutating func loadCheckpoint(
        from path: String, registry: MonitorRegistry? = nil, transformStateDecoders: AnyTransformStateDecoders? = nil
    ) throws {
        let names = Self.checkpointFileNames
        let contents = try CheckpointDirectory.verify(path, required: [names.weights, names.trainerState]).files

        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile(bytes: contents[names.weights]!)
        } catch let error as SafeTensorsError {
            throw CheckpointError.invalidWeights(file: names.weights, error: error)
        }
        let parameters = try Self.tensors(matching: model.parameters, in: file, fileName: names.weights)
        let currentBuffers = buffers()
        let loadedBuffers = try Self.tensors(matching: currentBuffers, in: file, fileName: names.weights)
        let known = Set(parameters.keys.map(\.rawValue)).union(currentBuffers.keys.map(\.rawValue))
        let unexpected = file.names.filter { !known.contains($0) }
        guard unexpected.isEmpty else { throw CheckpointError.unexpectedTensors(file: names.weights, keys: unexpected) }

        let state: TrainerState<Pipeline.State>
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            decoder.userInfo[MonitorRegistry.userInfoKey] = registry ?? monitorRegistry
            transformStateDecoders?.install(in: decoder)
            state = try decoder.decode(TrainerState<Pipeline.State>.self, from: Data(contents[names.trainerState]!))
        } catch {
            throw CheckpointError.invalidTrainerState(file: names.trainerState, detail: CheckpointDirectory.describeDecodingError(error))
        }
        let expectedTypes = Self.memberTypes(of: monitors)
        let foundTypes = Self.memberTypes(of: state.monitors)
        guard expectedTypes == foundTypes else {
            throw CheckpointError.monitorMismatch(file: names.trainerState, expected: expectedTypes, found: foundTypes)
        }
        let restoredMonitors = state.monitors

        var restoredModel = model
        do {
            try restoredModel.loadParameters(parameters)
            if let container = restoredModel as? any BufferContainer<Scalar> {
                restoredModel = try Self.loadingBuffers(container, loadedBuffers) as! Model
            }
        } catch {
            throw CheckpointError.invalidWeights(file: names.weights, error: .invalidEntry(name: "(model)", detail: "\(error)"))
        }
        model = restoredModel
        pipelineState = state.pipelineState
        monitors = restoredMonitors
        progress = state.progress
        skippedBatches = state.skippedBatches
        skippedCursors = Set(state.skippedBatches.map(\.cursor))
        rollbackCount = state.rollbackCount
        rollbacksInARow = state.rollbacksInARow ?? 0
        rollbackIncidentStep = state.rollbackIncidentStep
        snapshots = []
    }

    static var jsonEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    func encodedTrainerState() throws -> [UInt8] {
        let encoder = Self.jsonEncoder
        do {
            let state = TrainerState(
                progress: progress, pipelineState: pipelineState, monitors: monitors, skippedBatches: skippedBatches,
                rollbackCount: rollbackCount, rollbacksInARow: rollbacksInARow, rollbackIncidentStep: rollbackIncidentStep,
                bufferKeys: bufferKeys().map(\.rawValue))
            return [UInt8](try encoder.encode(state))
        } catch {
            throw CheckpointError.cannotWrite(path: Self.checkpointFileNames.trainerState, detail: "\(error)")
        }
    }

    func buffers() -> ParameterSet<Scalar> {
        (model as? any BufferContainer<Scalar>)?.buffers ?? ParameterSet()
    }

    func bufferKeys() -> [ParameterKey] { buffers().keys }

    func checkpointTensors() -> ParameterSet<Scalar> {
        var all = model.parameters
        for (key, tensor) in buffers() {
            precondition(!all.contains(key), "Trainer.saveCheckpoint: buffer \(key) has the same key as a parameter")
            all.append(tensor, for: key)
        }
        return all
    }

    static func tensors(matching template: ParameterSet<Scalar>, in file: SafeTensorsFile, fileName: String) throws -> ParameterSet<Scalar> {
        var result = ParameterSet<Scalar>()
        for (key, tensor) in template {
            guard let entry = file.entries[key.rawValue] else { throw CheckpointError.missingTensor(file: fileName, key: key.rawValue) }
            guard entry.shape == tensor.shape else {
                throw CheckpointError.shapeMismatch(file: fileName, key: key.rawValue, expected: tensor.shape, found: entry.shape)
            }
            do {
                result.append(try file.tensor(named: key.rawValue, as: Scalar.self), for: key)
            } catch let error as SafeTensorsError {
                throw CheckpointError.invalidWeights(file: fileName, error: error)
            }
        }
        return result
    }

    static func loadingBuffers<B: BufferContainer>(_ container: B, _ buffers: ParameterSet<Scalar>) throws -> any BufferContainer<Scalar>
    where B.Scalar == Scalar {
        var copy = container
        try copy.loadBuffers(buffers)
        return copy
    }

    /// The type tags of a set's members (and of nested sets' members), for the mismatch check.
    static func memberTypes(of set: MonitorSet) -> [String] {
        set.monitors.flatMap { monitor -> [String] in
            let tag = String(describing: type(of: monitor))
            if let nested = monitor as? MonitorSet { return [tag + "(" + memberTypes(of: nested).joined(separator: ",") + ")"] }
            return [tag]
        }
    }
}
