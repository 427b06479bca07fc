import Yams

// MARK: cohorts.yaml

extension PolicyLoader {
    /// cohorts.yaml: `attributes:`, a mapping of attribute name to `{values: [...]}` or
    /// `{buckets: [...]}` (and an optional `description`). Every problem is reported with its
    /// place; an attribute with a problem is left out.
    mutating func readCohorts(_ root: Node, into content: inout PolicyContent) {
        let file = "cohorts.yaml"
        guard let top = mapping(root, file, "cohorts.yaml", keys: ["attributes"], required: ["attributes"]),
              let attributesNode = top.first?.value,
              let attributes = mapping(attributesNode, file, "attributes", keys: nil) else { return }
        if attributes.count > CohortSchema.maxAttributes {
            problem(attributesNode, file, "attributes: at most \(CohortSchema.maxAttributes) attributes, not \(attributes.count)")
        }
        for (key, keyNode, value) in attributes.prefix(CohortSchema.maxAttributes) {
            guard let name = name(keyNode, file, "attribute name") else { continue }
            let what = "attributes.\(name)"
            guard let fields = mapping(value, file, what, keys: ["description", "values", "buckets"]) else { continue }
            let domains = fields.filter { $0.key != "description" }
            guard domains.count == 1, let (kind, _, list) = domains.first else {
                problem(value, file, "\(what): give either 'values' (a list of allowed values) or 'buckets' (a list of numeric boundaries), \(domains.isEmpty ? "not neither" : "not both")")
                continue
            }
            for (field, _, node) in fields where field == "description" { _ = string(node, file, "\(what).description") }
            let domain = kind == "values" ? values(list, file, "\(what).values") : buckets(list, file, "\(what).buckets")
            if let domain { content.cohortAttributes.append(CohortAttribute(name: key, domain: domain)) }
        }
    }

    /// A list of distinct, short values other than `other`.
    private mutating func values(_ node: Node, _ file: String, _ what: String) -> CohortAttribute.Domain? {
        guard let items = list(node, file, what) else { return nil }
        guard !items.isEmpty else {
            problem(node, file, "\(what) must list at least one value")
            return nil
        }
        if items.count > CohortSchema.maxValues {
            problem(node, file, "\(what): at most \(CohortSchema.maxValues) values, not \(items.count)")
            return nil
        }
        var seen: Set<String> = []
        var ok = true
        for (value, item) in items {
            if value == CohortSchema.other {
                problem(item, file, "\(what): '\(CohortSchema.other)' is what an undeclared value is recorded as; it cannot be declared")
                ok = false
            } else if value.utf8.count > 64 {
                problem(item, file, "\(what): a value must be at most 64 bytes (a cohort label, not customer data)")
                ok = false
            } else if !seen.insert(value).inserted {
                problem(item, file, "\(what): value '\(value)' is listed twice")
                ok = false
            }
        }
        return ok ? .values(items.map(\.0)) : nil
    }

    /// A list of finite numbers in strictly increasing order.
    private mutating func buckets(_ node: Node, _ file: String, _ what: String) -> CohortAttribute.Domain? {
        guard let items = list(node, file, what) else { return nil }
        guard !items.isEmpty else {
            problem(node, file, "\(what) must list at least one boundary")
            return nil
        }
        if items.count > CohortSchema.maxValues - 1 {
            problem(node, file, "\(what): at most \(CohortSchema.maxValues - 1) boundaries, not \(items.count)")
            return nil
        }
        var bounds: [Double] = []
        for (text, item) in items {
            guard let bound = Double(text), bound.isFinite else {
                problem(item, file, "\(what): boundary '\(text)' is not a number")
                return nil
            }
            if let previous = bounds.last, bound <= previous {
                problem(item, file, "\(what): boundaries must increase; \(text) follows \(CohortSchema.number(previous))")
                return nil
            }
            bounds.append(bound)
        }
        return .buckets(bounds)
    }
}
