// Every GraphQL query the dashboard sends, in one place: the reference client's queries, for
// frontend teams to copy (docs/dashboard.md). Each is a plain document with variables; the page
// sends it with graphql() (api.js) as {query, variables}. Each stays within the API's default
// limits and cost budget of 10,000 (docs/api.md: a field costs 1, a report 20, a trend one per
// period, ordering children 100, each times the page sizes above it); the cost after each is
// the API's own estimate (tests/api/test_dashboard_http.py runs every query at its largest).

/** Figures a card or a table cell shows for one KPI (value, sample, coverage, comparisons). */
const METRIC = `
fragment Metric on Metric {
  value sampleSize exact coverage withheld
  previousValue previousCoverage
  typicalMedian typicalTeams
  peerMedian peerPercentile
  parentValue
  withheldComparisons { field reason }
}`;

/** Figures of a table cell: the value and what lies behind it. */
const CELL = `
fragment Cell on Metric { value sampleSize coverage }`;

/** One point of a trend. */
const POINT = `
fragment Point on TrendPoint { from to value sampleSize days partial coverage }`;

/** At start-up: how to label, colour and grey out each KPI, and the days the store has data
 * for (the default window ends with the last one). Needs no structure date (cost 15). */
export const BOOT = `
query Boot {
  kpiDefinitions {
    key field name description unit better additive sample nullWhen
    pointInTime percentile source dataFrom dataTo
  }
}`;

/** The orgs to choose from, in the structure the view is in, and the team a scoped token
 * sees in full (the view opens there; cost 45): asked with the same `asOf` as the view, so
 * that the server builds one structure date, not two. */
export const ROOTS = `
query Roots($asOf: Date) {
  viewer(asOf: $asOf) { scope { key name } }
  roots(asOf: $asOf) { key name }
}`;

/** The type-ahead: teams whose name matches, with their path to tell namesakes apart (cost
 * 145). */
export const SEARCH = `
query Search($search: String!, $asOf: Date) {
  teams(search: $search, first: 8, asOf: $asOf) {
    totalCount
    edges { node { key name type active ancestors { name } } }
  }
}`;

/** The team view's cards: every KPI of the team's subtree over the window with its
 * comparisons, the DORA tiers, and where the team sits (cost 350). */
export const TEAM = `
query Team($key: String!, $asOf: Date, $from: Date!, $to: Date!) {
  team(key: $key, asOf: $asOf) {
    key name type depth active asOf
    ancestors { key name }
    children(first: 0) { totalCount }
    kpis(from: $from, to: $to) {
      from to asOf
      deploymentsPerWeek { ...Metric }
      deploymentDaysPerWeek { ...Metric }
      changeFailureRate { ...Metric }
      leadTimeHoursP50 { ...Metric }
      leadTimeHoursP90 { ...Metric }
      timeToRestoreHoursP50 { ...Metric }
      timeToFirstReviewHoursP50 { ...Metric }
      reviewToMergeHoursP50 { ...Metric }
      mergeToDeployHoursP50 { ...Metric }
      unreviewedMergeRate { ...Metric }
      changesPerEngineerPerWeek { ...Metric }
      codeCoverage { ...Metric }
      technicalDebtMinutes { ...Metric }
      headcount { ...Metric }
      sdeRatio { ...Metric }
      inboundRemoteContributionRate { ...Metric }
      outboundRemoteContributionRate { ...Metric }
      nativeAwsMigrationShare { ...Metric }
      deploymentTier leadTimeTier changeFailureTier restoreTier
      unresolvedIncidents unmeasuredServices
      headcountByRole { role count }
    }
  }
}
${METRIC}`;

/** A trend per KPI over the window, each aliased by its KPI key (cost: the periods of each
 * trend, at least 10, plus its fields: 1,081 for 18 trends of 52 weeks, 2,035 of 104 weeks;
 * the page asks for MONTH over windows longer than 104 weeks: 2,160 for ten years). */
export const TRENDS = `
query Trends($key: String!, $asOf: Date, $from: Date!, $to: Date!, $grain: Grain!) {
  team(key: $key, asOf: $asOf) {
    DEPLOYMENTS_PER_WEEK: trend(kpi: DEPLOYMENTS_PER_WEEK, from: $from, to: $to, grain: $grain) { ...Point }
    DEPLOYMENT_DAYS_PER_WEEK: trend(kpi: DEPLOYMENT_DAYS_PER_WEEK, from: $from, to: $to, grain: $grain) { ...Point }
    CHANGE_FAILURE_RATE: trend(kpi: CHANGE_FAILURE_RATE, from: $from, to: $to, grain: $grain) { ...Point }
    LEAD_TIME_HOURS_P50: trend(kpi: LEAD_TIME_HOURS_P50, from: $from, to: $to, grain: $grain) { ...Point }
    LEAD_TIME_HOURS_P90: trend(kpi: LEAD_TIME_HOURS_P90, from: $from, to: $to, grain: $grain) { ...Point }
    TIME_TO_RESTORE_HOURS_P50: trend(kpi: TIME_TO_RESTORE_HOURS_P50, from: $from, to: $to, grain: $grain) { ...Point }
    TIME_TO_FIRST_REVIEW_HOURS_P50: trend(kpi: TIME_TO_FIRST_REVIEW_HOURS_P50, from: $from, to: $to, grain: $grain) { ...Point }
    REVIEW_TO_MERGE_HOURS_P50: trend(kpi: REVIEW_TO_MERGE_HOURS_P50, from: $from, to: $to, grain: $grain) { ...Point }
    MERGE_TO_DEPLOY_HOURS_P50: trend(kpi: MERGE_TO_DEPLOY_HOURS_P50, from: $from, to: $to, grain: $grain) { ...Point }
    UNREVIEWED_MERGE_RATE: trend(kpi: UNREVIEWED_MERGE_RATE, from: $from, to: $to, grain: $grain) { ...Point }
    CHANGES_PER_ENGINEER_PER_WEEK: trend(kpi: CHANGES_PER_ENGINEER_PER_WEEK, from: $from, to: $to, grain: $grain) { ...Point }
    CODE_COVERAGE: trend(kpi: CODE_COVERAGE, from: $from, to: $to, grain: $grain) { ...Point }
    TECHNICAL_DEBT_MINUTES: trend(kpi: TECHNICAL_DEBT_MINUTES, from: $from, to: $to, grain: $grain) { ...Point }
    HEADCOUNT: trend(kpi: HEADCOUNT, from: $from, to: $to, grain: $grain) { ...Point }
    SDE_RATIO: trend(kpi: SDE_RATIO, from: $from, to: $to, grain: $grain) { ...Point }
    INBOUND_REMOTE_CONTRIBUTION_RATE: trend(kpi: INBOUND_REMOTE_CONTRIBUTION_RATE, from: $from, to: $to, grain: $grain) { ...Point }
    OUTBOUND_REMOTE_CONTRIBUTION_RATE: trend(kpi: OUTBOUND_REMOTE_CONTRIBUTION_RATE, from: $from, to: $to, grain: $grain) { ...Point }
    NATIVE_AWS_MIGRATION_SHARE: trend(kpi: NATIVE_AWS_MIGRATION_SHARE, from: $from, to: $to, grain: $grain) { ...Point }
  }
}
${POINT}`;

/** The team's children, by name or by a KPI (`$orderBy`: {kpi, from, to, direction}), a page
 * at a time, every KPI with its sample (cost 2,677 for a page of 25 ordered by a KPI). */
export const CHILDREN = `
query Children($key: String!, $asOf: Date, $from: Date!, $to: Date!, $first: Int!, $after: String, $orderBy: TeamOrder) {
  team(key: $key, asOf: $asOf) {
    children(first: $first, after: $after, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          key name type
          children(first: 0) { totalCount }
          kpis(from: $from, to: $to) {
            deploymentsPerWeek { ...Cell }
            deploymentDaysPerWeek { ...Cell }
            changeFailureRate { ...Cell }
            leadTimeHoursP50 { ...Cell }
            leadTimeHoursP90 { ...Cell }
            timeToRestoreHoursP50 { ...Cell }
            timeToFirstReviewHoursP50 { ...Cell }
            reviewToMergeHoursP50 { ...Cell }
            mergeToDeployHoursP50 { ...Cell }
            unreviewedMergeRate { ...Cell }
            changesPerEngineerPerWeek { ...Cell }
            codeCoverage { ...Cell }
            technicalDebtMinutes { ...Cell }
            headcount { ...Cell }
            sdeRatio { ...Cell }
            inboundRemoteContributionRate { ...Cell }
            outboundRemoteContributionRate { ...Cell }
            nativeAwsMigrationShare { ...Cell }
          }
        }
      }
    }
  }
}
${CELL}`;

/** The services of the team's subtree, a page at a time, each with its platform and its own
 * delivery over the window (cost 422 for a page of 20). */
export const SERVICES = `
query Services($key: String!, $asOf: Date, $from: Date!, $to: Date!, $first: Int!, $after: String) {
  team(key: $key, asOf: $asOf) {
    services(first: $first, after: $after, includeDescendants: true) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          key name platform active
          owner { key name }
          delivery(from: $from, to: $to) {
            deploymentsPerWeek successfulDeployments
            changeFailureRate productionDeployments
            leadTimeHoursP50 leadTimeHoursP90 leadTimeSampleSize
          }
        }
      }
    }
  }
}`;

/** The initiatives view: each initiative for the team's subtree on the status day, its
 * burn-up (the weekly trend), and the team's children furthest behind and ahead (cost
 * 2,316). */
export const INITIATIVES = `
query Initiatives($key: String!, $on: Date) {
  team(key: $key, asOf: $on) { key name asOf ancestors { key name } }
  initiatives {
    key name description measure computation kpi windowDays sampleKind
    target direction start deadline scope forecastWeeks
    status(team: $key, on: $on) {
      on value sampleSize target startValue progress pacePerWeek forecast deadline status
      trend { on value sampleSize }
    }
    laggards(under: $key, on: $on, first: 5) {
      totalCount
      edges { node { value sampleSize gap team { key name } } }
    }
    leaders(under: $key, on: $on, first: 5) {
      totalCount
      edges { node { value sampleSize gap team { key name } } }
    }
  }
}`;
