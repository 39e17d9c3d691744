extension TrainOptions {
    /// The options of a run from all its sources, by precedence: the command line over the
    /// configuration file over the options saved in a checkpoint being resumed, over the defaults.
    /// A resumed run writes its checkpoints into the directory it resumed from unless told
    /// otherwise (never into a directory recorded by another run).
    ///
    /// - Parameters:
    ///   - arguments: The command line's option arguments (``parse(arguments:)``).
    ///   - configFile: The path of a JSON configuration file (`--config`).
    ///   - resume: A checkpoint directory written by `keel train` (`--resume`).
    /// - Throws: ``ConfigurationError`` naming the sources and listing every problem of every
    ///   source at once, or the error of reading a file.
    public static func resolve(arguments: [String], configFile: String? = nil, resume: String? = nil) throws -> TrainOptions {
        let (commandLine, commandLineProblems) = parse(arguments: arguments)
        var options = TrainOptions()
        var sources: [String] = []
        if let resume {
            options = try TrainRunner.savedOptions(in: resume)
            sources.append(resume)
        }
        if let configFile {
            options = options.overridden(by: try load(contentsOfFile: configFile))
            sources.append(configFile)
        }
        options = options.overridden(by: commandLine)
        sources.append("command line")
        if let resume, options.checkpointDir == nil { options.checkpointDir = resume }
        try options.validate(source: sources.joined(separator: " + "), earlier: commandLineProblems)
        return options
    }
}
