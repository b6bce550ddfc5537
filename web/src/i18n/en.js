/* en.js - every string the dashboard shows, in English.
 *
 * The one place for user-visible text: views call t("key", {vars}) and never
 * hold literal text.  A later locale (Farsi, right-to-left) is a sibling file
 * with the same keys plus its own `meta` (lang, dir); keys missing there fall
 * back to these.  `{name}` placeholders are filled by t(); plurals are two
 * keys (`..._one`, `..._other`) chosen with Intl.PluralRules.
 */
export default {
  meta: { lang: "en", dir: "ltr", name: "English" },

  app: {
    title: "darkwatch",
    tagline: "Internet outages by country, region and network",
    skip: "Skip to content",
    footer:
      "Data: darkwatch's own measurements, served by its IODA-compatible API (/v2/). " +
      "Map: Natural Earth via world-atlas. Times are {tz}.",
    api_link: "API documentation (OpenAPI)",
  },

  nav: { overview: "World overview", back: "← Back to the world overview" },

  controls: {
    legend: "Period and display",
    from: "From ({tz})",
    until: "Until ({tz})",
    apply: "Show period",
    tz: "Time zone",
    tz_utc: "UTC",
    tz_local: "Local ({zone})",
    presets: "Quick periods",
    preset_all: "All data",
    preset_1d: "Last day of data",
    preset_7d: "Last 7 days of data",
    bad_range: "The start must be before the end.",
    coverage: "Data available from {from} to {until}.",
    coverage_none: "No data has been collected yet.",
  },

  search: {
    label: "Find a country, region or network (AS)",
    placeholder: "e.g. Iran, Tehran, AS44244, Irancell",
    button: "Search",
    results_one: "{n} match",
    results_other: "{n} matches",
    none: "Nothing matches “{q}”.",
    short: "Type at least 2 characters.",
  },

  overview: {
    heading: "Outages around the world",
    intro:
      "Each country is shaded by its outage score over the chosen period: the sum, over every " +
      "minute of a detected outage, of how far its signals fell below normal. Darker means a " +
      "longer or deeper outage. Select a country on the map or in the table to see its signals.",
    map_heading: "Map",
    map_label: "World map of outage scores, {from} to {until}. Countries with outages are listed in the table below.",
    map_title: "{name}: score {score}",
    map_title_none: "{name}: no outage detected",
    map_title_nodata: "{name}: not monitored",
    legend_heading: "Outage score",
    legend_none: "No outage",
    legend_nodata: "Not monitored",
    table_heading: "Ranking",
    table_caption: "Entities ranked by outage score, {from} to {until}",
    entity_type: "Show",
    col_rank: "Rank",
    col_entity: "Name",
    col_code: "Code",
    col_score: "Overall score",
    col_events: "Events",
    empty: "No outages detected in this period.",
  },

  entity_types: {
    continent: "Continent",
    country: "Country",
    region: "Region",
    asn: "Network (AS)",
    geoasn: "Network in one place",
    countries: "Countries",
    regions: "Regions",
    asns: "Networks (ASes)",
  },

  entity: {
    heading: "{name}",
    sub: "{type} {code}",
    chart_heading: "Signals",
    chart_label: "Signals of {name} from {from} to {until}; shaded spans are detected outages.",
    scale: "Scale",
    method: "Detection method",
    method_default: "{name} (default)",
    scale_abs: "Absolute values",
    scale_norm: "Normalised (% of normal: the median outside detected outages)",
    axis_norm: "% of normal",
    axis_time: "Time ({tz})",
    no_signals: "No signal data for {name} in this period.",
    events_heading: "Outage events",
    events_caption: "Outage events of {name}, {from} to {until}",
    events_empty: "No outages detected in this period.",
    col_datasource: "Signal",
    col_method: "Method",
    col_start: "Start",
    col_end: "End",
    col_duration: "Duration",
    col_score: "Score",
    ongoing: "ongoing",
    download_csv: "Download events (CSV)",
    download_signals: "Download signals (CSV)",
    api_json: "Same events from the API (JSON)",
    band_title: "{signal} outage: {from} to {until}, score {score}",
    related_heading: "Related regions and networks",
    related_regions: "Regions",
    related_asns: "Networks (ASes)",
    related_empty: "None known.",
    related_more: "and {n} more",
    signals_heading: "What the signals mean",
    chart_note: "Shaded spans mark detected outages, one strip per signal and method; hover one for its times and score. The events table below lists the same outages.",
  },

  signals: {
    bgp: {
      name: "BGP (routing)",
      short: "BGP",
      help:
        "How many /24 address blocks are announced to the rest of the Internet and seen by " +
        "more than half of the full-table route collectors' peers. A drop means networks " +
        "withdrew their routes: the outside world can no longer reach them.",
      unit: "visible /24 blocks",
    },
    "ping-slash24": {
      name: "Active probing",
      short: "Probing",
      help:
        "How many /24 blocks answer when we probe them (pings, Trinocular). A drop with no " +
        "BGP change means traffic is blocked while routes stay up (a data-plane block).",
      unit: "responsive /24 blocks",
    },
    "merit-nt": {
      name: "Telescope (Merit)",
      short: "Telescope",
      help:
        "How many distinct addresses send unsolicited traffic to an unused address block (a " +
        "network telescope). Infected and misconfigured machines send it all the time, so a " +
        "drop means machines in the area went offline.",
      unit: "unique source IPs",
    },
    "ucsd-nt": {
      name: "Telescope (UCSD)",
      short: "Telescope",
      help:
        "The same telescope measure from the UCSD network telescope: distinct source " +
        "addresses of unsolicited traffic.",
      unit: "unique source IPs",
    },
    gtr: {
      name: "Google traffic",
      short: "Google",
      help: "Traffic to Google services from the area (Google Transparency Report).",
      unit: "relative traffic",
    },
    overall: { name: "Overall", short: "Overall", help: "", unit: "" },
    unknown: { name: "{id}", short: "{id}", help: "", unit: "" },
  },

  methods: {
    median: "median (IODA's method)",
    seasonal: "seasonal (darkwatch)",
    unknown: "{id}",
  },

  duration: { d: "{n} d", h: "{n} h", m: "{n} min" },

  state: {
    loading: "Loading…",
    error: "Could not load {what}: {msg}",
    retry: "Try again",
    what_summary: "the outage summary",
    what_signals: "the signals",
    what_events: "the events",
    what_related: "related entities",
    what_search: "search results",
    what_coverage: "the data coverage",
    http: "the server answered {status}",
    network: "the server did not answer",
    not_found: "There is no {type} with code “{code}”.",
  },
};
