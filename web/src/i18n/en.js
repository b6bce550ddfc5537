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

  nav: {
    overview: "World overview",
    back: "← Back to the world overview",
    label: "Sections",
    outages: "Outages",
    networks: "Coordinated networks",
    language: "Language",
  },

  cib: {
    heading: "Coordinated account networks",
    intro:
      "Groups of accounts that shared the same posts, links, hashtags, images or near-identical " +
      "texts within seconds of each other, again and again, as found by darkwatch's detection " +
      "(darkwatch cib detect). A network is a lead for investigation, not proof: read its " +
      "evidence before drawing conclusions.",
    run: "Detection run",
    run_option: "Run {id}, finished {when}",
    run_running: "Run {id} (not finished)",
    trace: "Shared",
    trace_any: "Anything shared",
    order: "Order by",
    order_score: "Coordination score",
    order_size: "Size",
    order_first: "First activity",
    order_last: "Latest activity",
    only_indicators: "Only networks matching known-operation indicators",
    list_heading: "Networks",
    list_caption: "Networks found by run {run} ({n} in all)",
    col_network: "Network",
    col_score: "Score",
    col_size: "Accounts",
    col_period: "Active",
    col_traces: "Shared",
    col_indicators: "Indicators",
    network_name: "Network {id}",
    list_sep: ", ",
    indicator_mark: "⚑",
    indicator_title: "Matches known-operation indicators: {names}",
    indicators_n_one: "{n} indicator",
    indicators_n_other: "{n} indicators",
    page_of: "Page {page} of {pages}",
    prev: "Previous",
    next: "Next",
    none_match: "No network matches these choices.",
    no_runs:
      "This store holds no finished coordinated-account analysis yet. Import activity with " +
      "darkwatch cib import, then run darkwatch cib detect.",
    pick_hint: "Choose a network in the table to see its graph and evidence.",
    network_heading: "Network {id}",
    graph_heading: "Accounts and their links",
    graph_note:
      "Each dot is an account (larger: more strongly tied to the others); each line joins two " +
      "accounts that acted together (thicker: more often). Hover a dot for its name; select it " +
      "to highlight its links and narrow the evidence to it.",
    graph_partial: "The graph shows the {shown} most strongly tied of {n} accounts.",
    graph_label: "Graph of {nodes} accounts and {edges} links",
    node_label: "{name} (strength {strength})",
    edge_title: "{a} and {b}: weight {weight}, {shared} objects shared ({traces})",
    no_members: "No members recorded for this network.",
    members_heading: "Accounts (table)",
    members_caption: "{n} accounts, most strongly tied first",
    col_account: "Account",
    col_strength: "Strength",
    member_heading: "Account {name}",
    member_line: "strength {strength} in this network of {size} accounts (score {score})",
    member_clear: "Show every account's evidence",
    top_heading: "Most shared objects",
    top_none: "No shared objects recorded.",
    times_one: "({n} share)",
    times_other: "({n} shares)",
    indicators_heading: "Known-operation indicators",
    indicators_none: "No known-operation indicator matched.",
    indicator_line: "({kind}, from {source}): matched {matched}",
    evidence_heading: "Evidence",
    evidence_note:
      "Each row is one object two accounts both shared, with both times and how many seconds " +
      "apart. Select a column heading to sort by it.",
    evidence_caption: "{n} of {total} evidence rows",
    evidence_caption_member: "{n} of {all} evidence rows of {name}",
    evidence_more: "Show {n} more ({left} not shown)",
    evidence_none: "No evidence recorded for this network.",
    col_trace: "Kind",
    col_object: "Object",
    col_a: "Account",
    col_b: "Other account",
    col_ta: "First time",
    col_tb: "Other time",
    col_seconds: "Seconds apart",
    traces: {
      retweet: "Reposts",
      url: "Links",
      domain: "Sites",
      hashtag: "Hashtags",
      image: "Images",
      text: "Similar texts",
      unknown: "{id}",
    },
  },

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
    what_runs: "the detection runs",
    what_networks: "the networks",
    what_network: "this network",
    what_account: "this account",
    http: "the server answered {status}",
    network: "the server did not answer",
    not_found: "There is no {type} with code “{code}”.",
  },
};
