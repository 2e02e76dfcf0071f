//! The flow report: what moved through a workflow's stages in a period.

use async_graphql::{Context, Object, Result};

use super::config::{Stage, Workflow};
use crate::domain::pipeline::StageFigures;
use crate::graphql::loaders::{StageKey, WorkflowKey, known};
use crate::graphql::scalars::{DateTime, int};
use crate::service::pipeline::Report;

/// Flow through a workflow's stages in `[from, to)`.
pub struct PipelineReport {
    /// What the database counted.
    pub report: Report,
    /// Start of the period (included).
    pub from: DateTime,
    /// End of the period (excluded).
    pub to: DateTime,
}

/// Flow through a workflow's stages in `[from, to)`.
#[Object]
impl PipelineReport {
    /// The workflow.
    async fn workflow(&self, ctx: &Context<'_>) -> Result<Workflow> {
        Ok(Workflow(
            known(ctx, WorkflowKey(self.report.workflow_id)).await?,
        ))
    }
    /// Start of the period (included).
    async fn from(&self) -> DateTime {
        self.from
    }
    /// End of the period (excluded).
    async fn to(&self) -> DateTime {
        self.to
    }
    /// Every stage of the workflow, by position.
    async fn stages(&self) -> Vec<StageReport> {
        self.report
            .stages
            .iter()
            .map(|&(stage_id, figures)| StageReport { stage_id, figures })
            .collect()
    }
    /// The stage changes of the period by pair of stages (`from` null: contacts created).
    async fn transitions(&self) -> Vec<TransitionCount> {
        self.report
            .transitions
            .iter()
            .map(|(&(from, to), &count)| TransitionCount { from, to, count })
            .collect()
    }
}

/// One stage's figures in a flow report.
pub struct StageReport {
    stage_id: i64,
    figures: StageFigures,
}

/// One stage's figures in a flow report.
#[Object]
impl StageReport {
    /// The stage.
    async fn stage(&self, ctx: &Context<'_>) -> Result<Stage> {
        Ok(Stage(known(ctx, StageKey(self.stage_id)).await?))
    }
    /// Contacts in the stage now.
    async fn current(&self) -> i32 {
        int(self.figures.current)
    }
    /// Stage changes into the stage within the period.
    async fn entered(&self) -> i32 {
        int(self.figures.entered)
    }
    /// Stage changes out of the stage within the period.
    async fn left(&self) -> i32 {
        int(self.figures.left)
    }
    /// Over the stays in this stage that ended within the period: the median, in seconds
    /// (the discrete median: the value at rank ⌈n / 2⌉); null when none ended.
    async fn median_seconds_in_stage(&self) -> Option<i32> {
        self.figures.median_seconds.map(int)
    }
    /// Over the same stays: the 90th percentile, in seconds (the value at rank ⌈0.9 n⌉).
    async fn p90_seconds_in_stage(&self) -> Option<i32> {
        self.figures.p90_seconds.map(int)
    }
}

/// How many stage changes went from one stage to another in the period.
pub struct TransitionCount {
    from: Option<i64>,
    to: i64,
    count: i64,
}

/// How many stage changes went from one stage to another in the period.
#[Object]
impl TransitionCount {
    /// The stage left; null for contacts created in the period (their entry into the first
    /// stage).
    async fn from(&self, ctx: &Context<'_>) -> Result<Option<Stage>> {
        match self.from {
            Some(id) => Ok(Some(Stage(known(ctx, StageKey(id)).await?))),
            None => Ok(None),
        }
    }
    /// The stage entered.
    async fn to(&self, ctx: &Context<'_>) -> Result<Stage> {
        Ok(Stage(known(ctx, StageKey(self.to)).await?))
    }
    /// How many.
    async fn count(&self) -> i32 {
        int(self.count)
    }
}
