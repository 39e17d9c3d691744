// swift-tools-version: 6.0
// A starter package for a custom Keel recurrent cell: copy it, rename LeakyTanhCell, keep the conformance test passing.
import PackageDescription

let package = Package(
    name: "LeakyTanhCell",
    products: [.library(name: "LeakyTanhCell", targets: ["LeakyTanhCell"])],
    dependencies: [.package(name: "Keel", path: "../..")],
    targets: [
        .target(
            name: "LeakyTanhCell",
            dependencies: [.product(name: "KeelCore", package: "Keel")]),
        .testTarget(
            name: "LeakyTanhCellTests",
            dependencies: ["LeakyTanhCell", .product(name: "KeelConformance", package: "Keel")]),
    ]
)
