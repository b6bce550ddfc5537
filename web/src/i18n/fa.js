/* fa.js - every string the dashboard shows, in Persian (Farsi), right to left.
 *
 * Same keys as en.js (tests/browser/dashboard.test.mjs fails on a missing or
 * extra key).  Placeholders `{name}` stay as they are; plurals keep both
 * `_one` and `_other` (Intl.PluralRules("fa") gives "one" for 0 and 1).
 * Acronyms (BGP, AS, IODA, API, CSV, UTC) stay in Latin letters; "/24" and
 * "/v2/" sit in left-to-right isolates (\u2066 ... \u2069) so the slash stays put.
 */
export default {
  meta: { lang: "fa", dir: "rtl", name: "فارسی" },

  app: {
    title: "darkwatch",
    tagline: "قطعی‌های اینترنت به تفکیک کشور، منطقه و شبکه",
    skip: "رفتن به محتوا",
    footer:
      "داده‌ها: اندازه‌گیری‌های خود darkwatch، ارائه‌شده از راه API سازگار با IODA (\u2066/v2/\u2069). " +
      "نقشه: Natural Earth از طریق world-atlas. زمان‌ها به وقت {tz} هستند.",
    api_link: "مستندات API (OpenAPI)",
  },

  nav: {
    overview: "نمای کلی جهان",
    back: "→ بازگشت به نمای کلی جهان",
    label: "بخش‌ها",
    outages: "قطعی‌ها",
    networks: "شبکه‌های هماهنگ",
    language: "زبان",
  },

  cib: {
    heading: "شبکه‌های هماهنگ حساب‌های کاربری",
    intro:
      "گروه‌هایی از حساب‌ها که بارها و بارها، با فاصلهٔ چند ثانیه از یکدیگر، پست‌ها، پیوندها، " +
      "هشتگ‌ها، تصاویر یا متن‌های تقریباً یکسانی را منتشر کرده‌اند، آن‌گونه که سازوکار شناسایی " +
      "darkwatch (با فرمان \u2066darkwatch cib detect\u2069) یافته است. هر شبکه سرنخی برای تحقیق است، نه مدرک: " +
      "پیش از نتیجه‌گیری، شواهد آن را بخوانید.",
    run: "اجرای شناسایی",
    run_option: "اجرای {id}، پایان‌یافته در {when}",
    run_running: "اجرای {id} (تمام‌نشده)",
    trace: "محتوای مشترک",
    trace_any: "هر نوع محتوای مشترک",
    order: "مرتب‌سازی بر اساس",
    order_score: "امتیاز هماهنگی",
    order_size: "اندازه",
    order_first: "نخستین فعالیت",
    order_last: "آخرین فعالیت",
    only_indicators: "فقط شبکه‌های منطبق با نشانگرهای عملیات شناخته‌شده",
    list_heading: "شبکه‌ها",
    list_caption: "شبکه‌های یافته‌شده در اجرای {run} (در مجموع {n})",
    col_network: "شبکه",
    col_score: "امتیاز",
    col_size: "حساب‌ها",
    col_period: "دورهٔ فعالیت",
    col_traces: "محتوای مشترک",
    col_indicators: "نشانگرها",
    network_name: "شبکهٔ {id}",
    list_sep: "، ",
    indicator_mark: "⚑",
    indicator_title: "منطبق با نشانگرهای عملیات شناخته‌شده: {names}",
    indicators_n_one: "{n} نشانگر",
    indicators_n_other: "{n} نشانگر",
    page_of: "صفحهٔ {page} از {pages}",
    prev: "قبلی",
    next: "بعدی",
    none_match: "هیچ شبکه‌ای با این گزینه‌ها مطابقت ندارد.",
    no_runs:
      "این پایگاه داده هنوز هیچ تحلیل کامل‌شده‌ای از حساب‌های هماهنگ ندارد. فعالیت‌ها را با " +
      "\u2066darkwatch cib import\u2069 وارد کنید و سپس \u2066darkwatch cib detect\u2069 را اجرا کنید.",
    pick_hint: "برای دیدن گراف و شواهد یک شبکه، آن را در جدول انتخاب کنید.",
    network_heading: "شبکهٔ {id}",
    graph_heading: "حساب‌ها و پیوندهای میان آن‌ها",
    graph_note:
      "هر نقطه یک حساب است (بزرگ‌تر: پیوند قوی‌تر با دیگران)؛ هر خط دو حسابی را به هم وصل می‌کند " +
      "که با هم عمل کرده‌اند (ضخیم‌تر: دفعات بیشتر). نشانگر را روی یک نقطه نگه دارید تا نامش را " +
      "ببینید؛ آن را انتخاب کنید تا پیوندهایش برجسته شود و شواهد به همان حساب محدود شود.",
    graph_partial: "گراف {shown} حساب با قوی‌ترین پیوندها را از میان {n} حساب نشان می‌دهد.",
    graph_label: "گراف {nodes} حساب و {edges} پیوند",
    node_label: "{name} (قدرت پیوند {strength})",
    edge_title: "{a} و {b}: وزن {weight}، {shared} مورد مشترک ({traces})",
    no_members: "هیچ عضوی برای این شبکه ثبت نشده است.",
    members_heading: "حساب‌ها (جدول)",
    members_caption: "{n} حساب، به ترتیب قدرت پیوند",
    col_account: "حساب",
    col_strength: "قدرت پیوند",
    member_heading: "حساب {name}",
    member_line: "قدرت پیوند {strength} در این شبکهٔ {size} حسابی (امتیاز {score})",
    member_clear: "نمایش شواهد همهٔ حساب‌ها",
    top_heading: "پرتکرارترین موارد مشترک",
    top_none: "هیچ مورد مشترکی ثبت نشده است.",
    times_one: "({n} بار اشتراک)",
    times_other: "({n} بار اشتراک)",
    indicators_heading: "نشانگرهای عملیات شناخته‌شده",
    indicators_none: "هیچ نشانگر عملیات شناخته‌شده‌ای منطبق نشد.",
    indicator_line: "({kind}، از {source}): منطبق با {matched}",
    evidence_heading: "شواهد",
    evidence_note:
      "هر سطر یک مورد است که هر دو حساب آن را منتشر کرده‌اند، با زمان هر دو و فاصلهٔ آن‌ها به ثانیه. " +
      "برای مرتب‌سازی بر اساس یک ستون، عنوان آن را انتخاب کنید.",
    evidence_caption: "{n} از {total} سطر شواهد",
    evidence_caption_member: "{n} از {all} سطر شواهد مربوط به {name}",
    evidence_more: "نمایش {n} مورد دیگر ({left} مورد نمایش داده نشده)",
    evidence_none: "هیچ شاهدی برای این شبکه ثبت نشده است.",
    col_trace: "نوع",
    col_object: "مورد",
    col_a: "حساب",
    col_b: "حساب دیگر",
    col_ta: "زمان نخست",
    col_tb: "زمان دیگر",
    col_seconds: "فاصله (ثانیه)",
    traces: {
      retweet: "بازنشرها",
      url: "پیوندها",
      domain: "وب‌سایت‌ها",
      hashtag: "هشتگ‌ها",
      image: "تصاویر",
      text: "متن‌های مشابه",
      unknown: "{id}",
    },
  },

  controls: {
    legend: "بازهٔ زمانی و نمایش",
    from: "از ({tz})",
    until: "تا ({tz})",
    apply: "نمایش بازه",
    tz: "منطقهٔ زمانی",
    tz_utc: "UTC",
    tz_local: "محلی ({zone})",
    presets: "بازه‌های آماده",
    preset_all: "همهٔ داده‌ها",
    preset_1d: "آخرین روز داده‌ها",
    preset_7d: "۷ روز آخر داده‌ها",
    bad_range: "زمان شروع باید پیش از زمان پایان باشد.",
    coverage: "داده‌ها از {from} تا {until} موجود است.",
    coverage_none: "هنوز هیچ داده‌ای گردآوری نشده است.",
  },

  search: {
    label: "جست‌وجوی کشور، منطقه یا شبکه (AS)",
    placeholder: "مثلاً Iran، Tehran، AS44244، Irancell",
    button: "جست‌وجو",
    results_one: "{n} نتیجه",
    results_other: "{n} نتیجه",
    none: "هیچ موردی با «{q}» مطابقت ندارد.",
    short: "دست‌کم ۲ نویسه وارد کنید.",
  },

  overview: {
    heading: "قطعی‌های اینترنت در سراسر جهان",
    intro:
      "رنگ هر کشور نشان‌دهندهٔ امتیاز قطعی آن در بازهٔ انتخاب‌شده است: مجموع میزان افت سیگنال‌ها " +
      "نسبت به حالت عادی، در تک‌تک دقیقه‌های یک قطعی شناسایی‌شده. رنگ تیره‌تر یعنی قطعی طولانی‌تر " +
      "یا شدیدتر. برای دیدن سیگنال‌های یک کشور، آن را روی نقشه یا در جدول انتخاب کنید.",
    map_heading: "نقشه",
    map_label: "نقشهٔ جهانی امتیاز قطعی، از {from} تا {until}. کشورهای دارای قطعی در جدول زیر فهرست شده‌اند.",
    map_title: "{name}: امتیاز {score}",
    map_title_none: "{name}: قطعی‌ای شناسایی نشد",
    map_title_nodata: "{name}: پایش نمی‌شود",
    legend_heading: "امتیاز قطعی",
    legend_none: "بدون قطعی",
    legend_nodata: "پایش نمی‌شود",
    table_heading: "رتبه‌بندی",
    table_caption: "رتبه‌بندی بر اساس امتیاز قطعی، از {from} تا {until}",
    entity_type: "نمایش",
    col_rank: "رتبه",
    col_entity: "نام",
    col_code: "کد",
    col_score: "امتیاز کل",
    col_events: "رویدادها",
    empty: "در این بازه هیچ قطعی‌ای شناسایی نشد.",
  },

  entity_types: {
    continent: "قاره",
    country: "کشور",
    region: "منطقه",
    asn: "شبکه (AS)",
    geoasn: "شبکه در یک مکان",
    countries: "کشورها",
    regions: "مناطق",
    asns: "شبکه‌ها (AS)",
  },

  entity: {
    heading: "{name}",
    sub: "{type} {code}",
    chart_heading: "سیگنال‌ها",
    chart_label: "سیگنال‌های {name} از {from} تا {until}؛ بازه‌های سایه‌دار قطعی‌های شناسایی‌شده‌اند.",
    scale: "مقیاس",
    method: "روش شناسایی",
    method_default: "{name} (پیش‌فرض)",
    scale_abs: "مقادیر مطلق",
    scale_norm: "نرمال‌شده (درصدی از حالت عادی: میانه بیرون از قطعی‌های شناسایی‌شده)",
    axis_norm: "٪ از حالت عادی",
    axis_time: "زمان ({tz})",
    no_signals: "در این بازه هیچ دادهٔ سیگنالی برای {name} وجود ندارد.",
    events_heading: "رویدادهای قطعی",
    events_caption: "رویدادهای قطعی {name}، از {from} تا {until}",
    events_empty: "در این بازه هیچ قطعی‌ای شناسایی نشد.",
    col_datasource: "سیگنال",
    col_method: "روش",
    col_start: "شروع",
    col_end: "پایان",
    col_duration: "مدت",
    col_score: "امتیاز",
    ongoing: "ادامه دارد",
    download_csv: "دریافت رویدادها (CSV)",
    download_signals: "دریافت سیگنال‌ها (CSV)",
    api_json: "همین رویدادها از API ‏(JSON)",
    band_title: "قطعی {signal}: از {from} تا {until}، امتیاز {score}",
    related_heading: "مناطق و شبکه‌های مرتبط",
    related_regions: "مناطق",
    related_asns: "شبکه‌ها (AS)",
    related_empty: "موردی شناخته نشده است.",
    related_more: "و {n} مورد دیگر",
    signals_heading: "معنای سیگنال‌ها",
    chart_note: "بازه‌های سایه‌دار قطعی‌های شناسایی‌شده را نشان می‌دهند، یک نوار برای هر سیگنال و روش؛ نشانگر را روی هر یک نگه دارید تا زمان و امتیازش را ببینید. جدول رویدادها در پایین همین قطعی‌ها را فهرست می‌کند.",
  },

  signals: {
    bgp: {
      name: "BGP (مسیریابی)",
      short: "BGP",
      help:
        "تعداد بلوک‌های نشانی \u2066/24\u2069 که به بقیهٔ اینترنت اعلام شده‌اند و بیش از نیمی از همتایان " +
        "گردآورنده‌های مسیر با جدول کامل آن‌ها را می‌بینند. افت آن یعنی شبکه‌ها مسیرهای خود را " +
        "پس گرفته‌اند: دنیای بیرون دیگر به آن‌ها دسترسی ندارد.",
      unit: "بلوک‌های \u2066/24\u2069 قابل مشاهده",
    },
    "ping-slash24": {
      name: "کاوش فعال",
      short: "کاوش",
      help:
        "تعداد بلوک‌های \u2066/24\u2069 که به کاوش ما (پینگ، Trinocular) پاسخ می‌دهند. افت آن بدون تغییر " +
        "در BGP یعنی ترافیک مسدود شده در حالی که مسیرها برقرار مانده‌اند (مسدودسازی در سطح داده).",
      unit: "بلوک‌های \u2066/24\u2069 پاسخ‌دهنده",
    },
    "merit-nt": {
      name: "تلسکوپ شبکه (Merit)",
      short: "تلسکوپ",
      help:
        "تعداد نشانی‌های متمایزی که ترافیک ناخواسته به یک بلوک نشانی بلااستفاده می‌فرستند (تلسکوپ " +
        "شبکه). دستگاه‌های آلوده یا بد پیکربندی‌شده پیوسته چنین ترافیکی می‌فرستند، پس افت آن یعنی " +
        "دستگاه‌های آن ناحیه از اینترنت جدا شده‌اند.",
      unit: "نشانی‌های IP مبدأ یکتا",
    },
    "ucsd-nt": {
      name: "تلسکوپ شبکه (UCSD)",
      short: "تلسکوپ",
      help:
        "همان سنجهٔ تلسکوپ، از تلسکوپ شبکهٔ UCSD: نشانی‌های مبدأ متمایز ترافیک ناخواسته.",
      unit: "نشانی‌های IP مبدأ یکتا",
    },
    gtr: {
      name: "ترافیک گوگل",
      short: "گوگل",
      help: "ترافیک از این ناحیه به سرویس‌های گوگل (گزارش شفافیت گوگل).",
      unit: "ترافیک نسبی",
    },
    overall: { name: "کلی", short: "کلی", help: "", unit: "" },
    unknown: { name: "{id}", short: "{id}", help: "", unit: "" },
  },

  methods: {
    median: "میانه (روش IODA)",
    seasonal: "فصلی (darkwatch)",
    unknown: "{id}",
  },

  duration: { d: "{n} روز", h: "{n} ساعت", m: "{n} دقیقه" },

  state: {
    loading: "در حال بارگذاری…",
    error: "بارگذاری {what} ممکن نشد: {msg}",
    retry: "تلاش دوباره",
    what_summary: "خلاصهٔ قطعی‌ها",
    what_signals: "سیگنال‌ها",
    what_events: "رویدادها",
    what_related: "موارد مرتبط",
    what_search: "نتایج جست‌وجو",
    what_coverage: "بازهٔ پوشش داده‌ها",
    what_runs: "اجراهای شناسایی",
    what_networks: "شبکه‌ها",
    what_network: "این شبکه",
    what_account: "این حساب",
    http: "پاسخ سرور {status} بود",
    network: "سرور پاسخ نداد",
    not_found: "هیچ {type} با کد «{code}» وجود ندارد.",
  },
};
