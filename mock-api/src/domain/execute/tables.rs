//! What each seeded connector exposes to `execute`, as data: one small table per connector, one row
//! per entity with its size and its fields. The first field of an entity is its id (`get` looks it
//! up). A dotted field name (`address.city`) builds a nested object.

use super::Kind::{self, *};

/// How many records an entity has.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Total {
    Fixed(usize),
    /// An integer of the source's configuration (Faker's `count`), with a default and a ceiling.
    Config(&'static str, usize, usize),
}

#[derive(Debug)]
pub(crate) struct EntityDef {
    pub(crate) name: &'static str,
    pub(crate) total: Total,
    pub(crate) fields: &'static [(&'static str, Kind)],
}

/// The entities of a connector (`connector_name` of the catalog), or none for one this mock does
/// not simulate.
pub(crate) fn entities(connector_name: &str) -> &'static [EntityDef] {
    match connector_name {
        "source-github" => GITHUB,
        "source-stripe" => STRIPE,
        "source-hubspot" => HUBSPOT,
        "source-postgres" => POSTGRES,
        "source-google-sheets" => GOOGLE_SHEETS,
        "source-salesforce" => SALESFORCE,
        "source-faker" => FAKER,
        _ => &[],
    }
}

/// Postgres' tables appear once per schema of the source's `schemas` (`public` ones unprefixed).
pub(crate) fn per_schema(connector_name: &str) -> bool {
    connector_name == "source-postgres"
}

const CURRENCIES: &[&str] = &["usd", "usd", "usd", "eur", "gbp", "cad"];
const LABELS: &[&str] = &[
    "bug",
    "enhancement",
    "documentation",
    "good first issue",
    "help wanted",
    "question",
    "area/connectors",
    "priority/high",
];
const LANGUAGES: &[&str] = &[
    "Rust",
    "Python",
    "TypeScript",
    "Go",
    "Java",
    "Kotlin",
    "Ruby",
];
const INDUSTRIES: &[&str] = &[
    "COMPUTER_SOFTWARE",
    "FINANCIAL_SERVICES",
    "HOSPITAL_HEALTH_CARE",
    "RETAIL",
    "MARKETING_AND_ADVERTISING",
    "LOGISTICS_AND_SUPPLY_CHAIN",
];

static GITHUB: &[EntityDef] = &[
    EntityDef {
        name: "issues",
        total: Total::Fixed(120),
        fields: &[
            ("id", Id(1_800_000_000, 9_973)),
            ("number", Seq(1)),
            (
                "repository",
                FromConfig("repositories", "airbytehq/airbyte"),
            ),
            ("title", Title),
            ("state", OneOf(&["open", "open", "closed"])),
            ("user.login", Username),
            ("labels", SomeOf(LABELS, 3)),
            ("comments", Int(0, 40)),
            ("body", Paragraph),
            ("created_at", Created),
            ("updated_at", Updated),
            (
                "html_url",
                Template("https://github.com/{repository}/issues/{number}"),
            ),
        ],
    },
    EntityDef {
        name: "pull_requests",
        total: Total::Fixed(80),
        fields: &[
            ("id", Id(1_500_000_000, 7_919)),
            ("number", Seq(2_000)),
            (
                "repository",
                FromConfig("repositories", "airbytehq/airbyte"),
            ),
            ("title", Title),
            ("state", OneOf(&["open", "closed", "closed"])),
            ("draft", Bool(15)),
            ("user.login", Username),
            ("head.ref", Slug),
            ("base.ref", OneOf(&["main", "master", "develop"])),
            ("created_at", Created),
            ("updated_at", Updated),
            (
                "html_url",
                Template("https://github.com/{repository}/pull/{number}"),
            ),
        ],
    },
    EntityDef {
        name: "repositories",
        total: Total::Fixed(24),
        fields: &[
            ("id", Id(600_000_000, 104_729)),
            ("name", Slug),
            ("owner.login", Username),
            ("full_name", Template("{owner.login}/{name}")),
            ("private", Bool(20)),
            ("description", Sentence),
            ("language", OneOf(LANGUAGES)),
            ("stargazers_count", Int(0, 50_000)),
            ("forks_count", Int(0, 5_000)),
            ("open_issues_count", Int(0, 300)),
            ("default_branch", OneOf(&["main", "main", "master"])),
            ("created_at", Created),
            ("updated_at", Updated),
            ("html_url", Template("https://github.com/{full_name}")),
        ],
    },
];

static STRIPE: &[EntityDef] = &[
    EntityDef {
        name: "customers",
        total: Total::Fixed(150),
        fields: &[
            ("id", Prefixed("cus_", 14)),
            ("object", Const("customer")),
            ("name", FullName),
            ("email", Email),
            ("phone", Phone),
            ("address.line1", Street),
            ("address.city", City),
            ("address.postal_code", Zip),
            ("address.country", CountryCode),
            ("currency", OneOf(CURRENCIES)),
            ("delinquent", Bool(5)),
            ("livemode", False),
            ("created", CreatedUnix),
        ],
    },
    EntityDef {
        name: "charges",
        total: Total::Fixed(300),
        fields: &[
            ("id", Prefixed("ch_", 24)),
            ("object", Const("charge")),
            ("amount", Int(500, 250_000)),
            ("currency", OneOf(CURRENCIES)),
            ("customer", Ref("customers")),
            (
                "status",
                OneOf(&["succeeded", "succeeded", "succeeded", "pending", "failed"]),
            ),
            ("paid", Bool(92)),
            ("description", Title),
            ("receipt_email", Email),
            (
                "payment_method_details.card.brand",
                OneOf(&["visa", "mastercard", "amex"]),
            ),
            ("payment_method_details.card.last4", Digits(4)),
            ("livemode", False),
            ("created", CreatedUnix),
        ],
    },
    EntityDef {
        name: "invoices",
        total: Total::Fixed(200),
        fields: &[
            ("id", Prefixed("in_", 24)),
            ("object", Const("invoice")),
            ("customer", Ref("customers")),
            (
                "status",
                OneOf(&["paid", "paid", "paid", "open", "void", "uncollectible"]),
            ),
            ("amount_due", Int(1_000, 500_000)),
            ("currency", OneOf(CURRENCIES)),
            ("number", Prefixed("INV-", 8)),
            ("created", CreatedUnix),
        ],
    },
];

static HUBSPOT: &[EntityDef] = &[
    EntityDef {
        name: "contacts",
        total: Total::Fixed(200),
        fields: &[
            ("id", SeqString(101)),
            ("properties.firstname", FirstName),
            ("properties.lastname", LastName),
            ("properties.email", Email),
            ("properties.phone", Phone),
            ("properties.company", Company),
            ("properties.jobtitle", JobTitle),
            (
                "properties.lifecyclestage",
                OneOf(&[
                    "subscriber",
                    "lead",
                    "marketingqualifiedlead",
                    "salesqualifiedlead",
                    "opportunity",
                    "customer",
                ]),
            ),
            ("createdAt", Created),
            ("updatedAt", Updated),
            ("archived", False),
        ],
    },
    EntityDef {
        name: "companies",
        total: Total::Fixed(80),
        fields: &[
            ("id", SeqString(5_001)),
            ("properties.name", Company),
            ("properties.domain", Domain),
            ("properties.industry", OneOf(INDUSTRIES)),
            ("properties.city", City),
            ("properties.country", Country),
            ("properties.numberofemployees", Int(2, 20_000)),
            ("createdAt", Created),
            ("updatedAt", Updated),
            ("archived", False),
        ],
    },
    EntityDef {
        name: "deals",
        total: Total::Fixed(120),
        fields: &[
            ("id", SeqString(9_001)),
            ("properties.dealname", Title),
            ("properties.amount", Int(1_000, 250_000)),
            (
                "properties.dealstage",
                OneOf(&[
                    "appointmentscheduled",
                    "qualifiedtobuy",
                    "presentationscheduled",
                    "decisionmakerboughtin",
                    "contractsent",
                    "closedwon",
                    "closedlost",
                ]),
            ),
            ("properties.pipeline", Const("default")),
            ("properties.company_id", Ref("companies")),
            ("createdAt", Created),
            ("updatedAt", Updated),
            ("archived", False),
        ],
    },
];

static POSTGRES: &[EntityDef] = &[
    EntityDef {
        name: "users",
        total: Total::Fixed(100),
        fields: &[
            ("id", Seq(1)),
            ("email", Email),
            ("first_name", FirstName),
            ("last_name", LastName),
            ("country", CountryCode),
            ("is_active", Bool(90)),
            ("created_at", Created),
        ],
    },
    EntityDef {
        name: "orders",
        total: Total::Fixed(250),
        fields: &[
            ("id", Seq(1_001)),
            ("user_id", Ref("users")),
            (
                "status",
                OneOf(&[
                    "pending",
                    "paid",
                    "paid",
                    "shipped",
                    "delivered",
                    "refunded",
                ]),
            ),
            ("total_cents", Int(500, 90_000)),
            ("currency", OneOf(CURRENCIES)),
            ("created_at", Created),
            ("updated_at", Updated),
        ],
    },
    EntityDef {
        name: "products",
        total: Total::Fixed(40),
        fields: &[
            ("id", Seq(1)),
            ("sku", Prefixed("SKU-", 8)),
            ("name", ProductName),
            ("price_cents", Int(199, 49_999)),
            ("stock", Int(0, 500)),
            ("created_at", Created),
        ],
    },
];

static GOOGLE_SHEETS: &[EntityDef] = &[EntityDef {
    name: "Sheet1",
    total: Total::Fixed(60),
    fields: &[
        ("row_number", Seq(2)),
        ("Name", FullName),
        ("Email", Email),
        ("Company", Company),
        ("Region", OneOf(&["EMEA", "NA", "LATAM", "APAC"])),
        ("Amount", Int(100, 20_000)),
        ("Date", CreatedDate),
    ],
}];

static SALESFORCE: &[EntityDef] = &[
    EntityDef {
        name: "Account",
        total: Total::Fixed(100),
        fields: &[
            ("Id", Prefixed("001", 15)),
            ("Name", Company),
            (
                "Industry",
                OneOf(&[
                    "Technology",
                    "Finance",
                    "Healthcare",
                    "Retail",
                    "Manufacturing",
                ]),
            ),
            ("BillingCity", City),
            ("BillingCountry", Country),
            ("AnnualRevenue", Int(100_000, 900_000_000)),
            ("NumberOfEmployees", Int(2, 50_000)),
            ("CreatedDate", Created),
            ("LastModifiedDate", Updated),
        ],
    },
    EntityDef {
        name: "Contact",
        total: Total::Fixed(200),
        fields: &[
            ("Id", Prefixed("003", 15)),
            ("AccountId", Ref("Account")),
            ("FirstName", FirstName),
            ("LastName", LastName),
            ("Email", Email),
            ("Phone", Phone),
            ("Title", JobTitle),
            ("CreatedDate", Created),
            ("LastModifiedDate", Updated),
        ],
    },
    EntityDef {
        name: "Opportunity",
        total: Total::Fixed(120),
        fields: &[
            ("Id", Prefixed("006", 15)),
            ("AccountId", Ref("Account")),
            ("Name", Title),
            (
                "StageName",
                OneOf(&[
                    "Prospecting",
                    "Qualification",
                    "Proposal/Price Quote",
                    "Negotiation/Review",
                    "Closed Won",
                    "Closed Lost",
                ]),
            ),
            ("Amount", Int(1_000, 500_000)),
            ("Probability", Int(0, 100)),
            ("CloseDate", UpdatedDate),
            ("CreatedDate", Created),
        ],
    },
];

static FAKER: &[EntityDef] = &[
    EntityDef {
        name: "users",
        total: Total::Config("count", 1000, 5000),
        fields: &[
            ("id", Seq(1)),
            ("name", FullName),
            ("email", Email),
            ("title", OneOf(&["M.Sc.", "Dr.", "Mr.", "Ms.", "PhD"])),
            ("age", Int(18, 90)),
            ("occupation", JobTitle),
            ("address.city", City),
            ("address.state", State),
            ("address.country_code", CountryCode),
            ("created_at", Created),
            ("updated_at", Updated),
        ],
    },
    EntityDef {
        name: "products",
        total: Total::Fixed(10),
        fields: &[
            ("id", Seq(1)),
            (
                "make",
                OneOf(&["Mazda", "Toyota", "Ford", "Volvo", "Audi", "Honda"]),
            ),
            ("model", ProductName),
            ("year", Int(1995, 2025)),
            ("price", Int(5_000, 90_000)),
            ("created_at", Created),
            ("updated_at", Updated),
        ],
    },
    EntityDef {
        name: "purchases",
        total: Total::Config("count", 1000, 5000),
        fields: &[
            ("id", Seq(1)),
            ("user_id", Ref("users")),
            ("product_id", Ref("products")),
            ("added_to_cart_at", Created),
            ("purchased_at", Updated),
        ],
    },
];
