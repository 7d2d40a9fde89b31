//! Group commit of submissions. SQLite has one writer, and a submission's
//! transaction is a dozen statements, each a round trip to the writer's
//! thread, plus a commit that writes its pages to the log. When many contact
//! points and channels send at once, the submissions that arrive while one
//! group is being written are written together as the next group: one
//! transaction and the same dozen statements for all of them
//! ([`write::insert_many`]). Nobody waits for a group to fill: a lone
//! submission is a group of one.
//!
//! Each submission stays whole or absent: the group commits or rolls back as
//! one, and every waiter hears the outcome. The write runs in its own task, so
//! a client that goes away cannot cut a group short. Several nodes each keep
//! their own queue; the year's counter row orders their groups.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::analysis::Analyzer;
use super::submit::Submitted;
use super::write::{self, Ready};
use crate::app::AppState;
use crate::error::{AppError, AppResult};

/// Submissions written in one transaction at most.
const GROUP: usize = 64;

type Waiting = (Ready, oneshot::Sender<Result<Submitted, String>>);

/// This node's queue of submissions waiting to be written.
#[derive(Default)]
pub struct Intake {
    queue: Mutex<Vec<Waiting>>,
    writer: Arc<tokio::sync::Mutex<()>>,
    /// The highest case id known committed (0: not known yet). It only ever
    /// lags the database: it is raised after a commit, or from a read.
    committed: AtomicI64,
}

impl Intake {
    /// Queues a submission and waits until a group holding it is written.
    pub async fn write(
        &self,
        state: &AppState,
        analyzer: Arc<Analyzer>,
        item: Ready,
    ) -> AppResult<Submitted> {
        let (done, outcome) = oneshot::channel();
        self.lock().push((item, done));
        // Whoever holds the writer writes everything queued by then; the
        // others find their submission already written when their turn comes.
        let turn = Arc::clone(&self.writer).lock_owned().await;
        let group: Vec<Waiting> = {
            let mut queue = self.lock();
            let n = queue.len().min(GROUP);
            queue.drain(..n).collect()
        };
        if !group.is_empty() {
            let state = state.clone();
            let task = tokio::spawn(async move {
                write_group(&state, &analyzer, group).await;
                drop(turn);
            });
            task.await.map_err(|e| AppError::Internal(e.into()))?;
        } else {
            drop(turn);
        }
        match outcome.await {
            Ok(Ok(s)) => Ok(s),
            Ok(Err(e)) => Err(AppError::Internal(anyhow::anyhow!(e))),
            Err(_) => Err(AppError::Internal(anyhow::anyhow!("提交写入任务意外中断"))),
        }
    }

    /// The highest case id known to be committed, or 0. A reader whose
    /// snapshot starts after this call sees every case up to it.
    pub fn committed(&self) -> i64 {
        self.committed.load(Ordering::Acquire)
    }

    /// Raises [`Self::committed`] to a case id known to be committed.
    pub fn saw_committed(&self, id: i64) {
        self.committed.fetch_max(id, Ordering::AcqRel);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Waiting>> {
        // A panic while holding the queue lock leaves the queue itself intact.
        self.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Writes one group in one transaction and tells every waiter.
async fn write_group(state: &AppState, analyzer: &Analyzer, group: Vec<Waiting>) {
    let (items, waiters): (Vec<Ready>, Vec<_>) = group.into_iter().unzip();
    let written = async {
        let mut tx = state.db.begin().await?;
        let out = write::insert_many(&mut tx, state, analyzer.segmenter(), &items).await?;
        tx.commit().await?;
        AppResult::Ok(out)
    }
    .await;
    match written {
        Ok(out) => {
            if let Some(last) = out.iter().map(|s| s.id).max() {
                state.intake.saw_committed(last);
            }
            for (w, s) in waiters.into_iter().zip(out) {
                // A waiter that went away no longer needs the answer.
                let _ = w.send(Ok(s));
            }
        }
        Err(e) => {
            let message = format!("{e:#}");
            tracing::error!(error = %message, submissions = items.len(), "a group of submissions was not written");
            for w in waiters {
                let _ = w.send(Err(message.clone()));
            }
        }
    }
}
