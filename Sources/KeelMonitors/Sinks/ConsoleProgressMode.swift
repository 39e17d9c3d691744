/// How ``ConsoleProgressSink`` draws progress.
public enum ConsoleProgressMode: Sendable, Hashable {
    /// A progress bar when standard output is a terminal (`isatty`), plain lines otherwise.
    case automatic
    /// One line redrawn in place (`\r`) on every step.
    case progressBar
    /// A plain line every `every` steps: for logs and CI.
    case plainLines
}
