//! The shape every company-owned table takes: a `company_id`, leading its keys and indexes, and
//! references that stay inside the row's company (`(company_id, x_id)` → `(company_id, id)`),
//! so that a row can never point at another company's row, whatever the code does.

/// What a reference points at.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    /// A row of this company-owned table, by `(company_id, id)`.
    Row(&'static str),
    /// An operator who is a member of the row's company, by `memberships (company_id, operator_id)`.
    Member,
}

/// A column of a company-owned table naming another row of the same company.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reference {
    pub column: &'static str,
    pub target: Target,
    /// The row goes with the row it names (localized names, refresh tokens).
    pub cascade: bool,
}

/// A company-owned table: its references and its indexes (each led by `company_id`, which is
/// not repeated here).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Owned {
    pub table: &'static str,
    pub references: &'static [Reference],
    pub indexes: &'static [(&'static [&'static str], bool)],
}

const fn to(column: &'static str, table: &'static str) -> Reference {
    Reference {
        column,
        target: Target::Row(table),
        cascade: false,
    }
}

const fn member(column: &'static str) -> Reference {
    Reference {
        column,
        target: Target::Member,
        cascade: false,
    }
}

const fn owned_by(column: &'static str, target: Target) -> Reference {
    Reference {
        column,
        target,
        cascade: true,
    }
}

/// Every company-owned table, parents before the tables that point at them. Each gets a unique
/// index on `(company_id, id)` besides these, the target of the references to it.
pub(crate) const OWNED: &[Owned] = &[
    Owned {
        table: "activity_types",
        references: &[],
        indexes: &[(&["code"], true)],
    },
    Owned {
        table: "workflows",
        references: &[],
        indexes: &[(&["code"], true)],
    },
    Owned {
        table: "stages",
        references: &[to("workflow_id", "workflows")],
        indexes: &[
            (&["workflow_id", "code"], true),
            (&["workflow_id", "position"], false),
        ],
    },
    Owned {
        table: "stage_activity_rules",
        references: &[
            to("stage_id", "stages"),
            to("activity_type_id", "activity_types"),
            to("next_activity_type_id", "activity_types"),
        ],
        indexes: &[
            (&["stage_id", "activity_type_id"], true),
            (&["activity_type_id"], false),
        ],
    },
    Owned {
        table: "transitions",
        references: &[
            to("workflow_id", "workflows"),
            to("from_stage_id", "stages"),
            to("to_stage_id", "stages"),
        ],
        indexes: &[
            (&["from_stage_id", "to_stage_id"], true),
            (&["workflow_id"], false),
        ],
    },
    Owned {
        table: "stage_names",
        references: &[owned_by("stage_id", Target::Row("stages"))],
        indexes: &[(&["stage_id", "locale"], true)],
    },
    Owned {
        table: "activity_type_names",
        references: &[owned_by("activity_type_id", Target::Row("activity_types"))],
        indexes: &[(&["activity_type_id", "locale"], true)],
    },
    Owned {
        table: "contacts",
        references: &[
            member("owner_id"),
            to("workflow_id", "workflows"),
            to("stage_id", "stages"),
        ],
        indexes: &[
            (&["updated_at", "id"], false),
            (&["created_at", "id"], false),
            (&["name", "id"], false),
            (&["stage_entered_at", "id"], false),
            (&["stage_id", "updated_at"], false),
            (&["workflow_id"], false),
            (&["owner_id"], false),
        ],
    },
    Owned {
        table: "activities",
        references: &[
            to("contact_id", "contacts"),
            to("activity_type_id", "activity_types"),
            to("stage_id", "stages"),
            member("operator_id"),
        ],
        indexes: &[
            (&["contact_id", "performed_at", "id"], false),
            (&["contact_id", "stage_id", "activity_type_id"], false),
            (&["operator_id"], false),
        ],
    },
    Owned {
        table: "pending_activities",
        references: &[
            to("contact_id", "contacts"),
            to("activity_type_id", "activity_types"),
            member("assignee_id"),
            to("completed_activity_id", "activities"),
            member("created_by_id"),
        ],
        indexes: &[
            (&["contact_id", "status"], false),
            (&["assignee_id", "status", "due_at"], false),
            (&["status", "due_at"], false),
            (&["status", "reminder_starts_at"], false),
        ],
    },
    Owned {
        table: "todos",
        references: &[
            member("operator_id"),
            to("activity_type_id", "activity_types"),
            to("contact_id", "contacts"),
            to("pending_activity_id", "pending_activities"),
        ],
        indexes: &[
            (&["operator_id", "status", "due_at"], false),
            (&["pending_activity_id"], false),
            (&["contact_id"], false),
        ],
    },
    Owned {
        table: "stage_changes",
        references: &[
            to("contact_id", "contacts"),
            to("from_stage_id", "stages"),
            to("to_stage_id", "stages"),
            member("operator_id"),
        ],
        indexes: &[(&["contact_id", "changed_at", "id"], false)],
    },
    Owned {
        table: "reminder_states",
        references: &[to("pending_activity_id", "pending_activities")],
        indexes: &[(&["pending_activity_id"], true)],
    },
    Owned {
        table: "idempotency_records",
        references: &[member("operator_id")],
        indexes: &[
            (&["operator_id", "operation", "key"], true),
            (&["created_at"], false),
        ],
    },
    Owned {
        table: "refresh_tokens",
        references: &[owned_by("operator_id", Target::Member)],
        indexes: &[(&["operator_id"], false)],
    },
];

impl Reference {
    /// The referenced table and its columns, in the order of `(company_id, column)`.
    pub(crate) fn parent(&self) -> (&'static str, [&'static str; 2]) {
        match self.target {
            Target::Row(table) => (table, ["company_id", "id"]),
            Target::Member => ("memberships", ["company_id", "operator_id"]),
        }
    }

    /// The foreign key's name, the same as the single-column key it replaces.
    pub(crate) fn name(&self, table: &str) -> String {
        format!("fk_{table}_{}", self.column)
    }

    /// The SQL of the constraint (without its name).
    pub(crate) fn constraint(&self) -> String {
        let (parent, [first, second]) = self.parent();
        let action = if self.cascade { "CASCADE" } else { "RESTRICT" };
        format!(
            "FOREIGN KEY (\"company_id\", \"{}\") REFERENCES \"{parent}\" (\"{first}\", \"{second}\") ON DELETE {action}",
            self.column
        )
    }
}

impl Owned {
    /// Every index of the table: the key `(company_id, id)` first, then the listed ones.
    pub(crate) fn all_indexes(&self) -> Vec<(Vec<&'static str>, bool)> {
        let mut all = vec![(vec!["company_id", "id"], true)];
        for (columns, unique) in self.indexes {
            let mut led = vec!["company_id"];
            led.extend_from_slice(columns);
            all.push((led, *unique));
        }
        all
    }
}

/// `CREATE [UNIQUE] INDEX` over these columns, named after them.
pub(crate) fn create_index(table: &str, columns: &[&str], unique: bool) -> String {
    let quoted: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    format!(
        "CREATE {}INDEX \"ix_{table}_{}\" ON \"{table}\" ({})",
        if unique { "UNIQUE " } else { "" },
        columns.join("_"),
        quoted.join(", ")
    )
}
