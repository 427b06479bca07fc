/// Fairness statistics and the governance report over `triage.audit` (issue 5).
public enum Governance {}
