/// The marker layouts shared by the adding and multiplication problems: where the two marked
/// values sit and how long the sequence is, per published definition.
enum MarkedPairs {
    /// Arjovsky et al. 2016: one marker uniform in [0, ⌊T/2⌋), one uniform in [⌊T/2⌋, T).
    static func halvesPositions<G: RandomNumberGenerator>(_ t: Int, using generator: inout G) -> (Int, Int) {
        let first = Shuffler.uniformInteger(below: t / 2, using: &generator)
        let second = t / 2 + Shuffler.uniformInteger(below: t - t / 2, using: &generator)
        return (first, second)
    }

    /// Hochreiter & Schmidhuber 1997, Exp. 4/5: the batch's length is uniform in [T, T + ⌊T/10⌋];
    /// X1 is one of the first 10 pairs; X2 one of the first ⌊T/2⌋ − 1 pairs other than X1's.
    static func hochreiterSchmidhuberLength<G: RandomNumberGenerator>(_ t: Int, fixed: Bool, using generator: inout G) -> Int {
        fixed ? t : t + Shuffler.uniformInteger(below: t / 10 + 1, using: &generator)
    }

    static func hochreiterSchmidhuberPositions<G: RandomNumberGenerator>(_ t: Int, using generator: inout G) -> (Int, Int) {
        let first = Shuffler.uniformInteger(below: 10, using: &generator)
        // Uniform over 0 ..< t/2 - 1 without `first` (which lies inside it, since t ≥ 24).
        var second = Shuffler.uniformInteger(below: t / 2 - 2, using: &generator)
        if second >= first { second += 1 }
        return (first, second)
    }

    /// Probability that X2 lands on the first pair, given X1 did not (T ≥ 24).
    static func hochreiterSchmidhuberSecondAtStart(_ t: Int) -> Double { 1 / Double(t / 2 - 2) }

    /// Pascanu et al. 2013 (`addition.py`): the batch's length l = L + randint(int(.1L)); p0 =
    /// randint(int(.1l)); p1 = int(.1l) + randint(int(.4l)).
    static func pascanuLength<G: RandomNumberGenerator>(_ l: Int, fixed: Bool, using generator: inout G) -> Int {
        fixed ? l : l + Shuffler.uniformInteger(below: SyntheticTaskValidation.fraction(0.1, of: l), using: &generator)
    }

    static func pascanuPositions<G: RandomNumberGenerator>(_ length: Int, using generator: inout G) -> (Int, Int) {
        let tenth = SyntheticTaskValidation.fraction(0.1, of: length)
        let first = Shuffler.uniformInteger(below: tenth, using: &generator)
        let second = tenth + Shuffler.uniformInteger(below: SyntheticTaskValidation.fraction(0.4, of: length), using: &generator)
        return (first, second)
    }
}
