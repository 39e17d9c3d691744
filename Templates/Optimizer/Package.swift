// swift-tools-version: 6.0
// A starter package for a custom Keel optimizer: copy it, rename HeavyBallSGD, keep the conformance test passing.
import PackageDescription

let package = Package(
    name: "HeavyBallSGD",
    products: [.library(name: "HeavyBallSGD", targets: ["HeavyBallSGD"])],
    dependencies: [.package(name: "Keel", path: "../..")],
    targets: [
        .target(
            name: "HeavyBallSGD",
            dependencies: [.product(name: "KeelCore", package: "Keel")]),
        .testTarget(
            name: "HeavyBallSGDTests",
            dependencies: ["HeavyBallSGD", .product(name: "KeelConformance", package: "Keel")]),
    ]
)
