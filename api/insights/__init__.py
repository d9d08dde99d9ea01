"""GraphQL types of the insights (graph/insights/, docs/insights.md)."""
