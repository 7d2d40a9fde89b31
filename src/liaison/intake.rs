//! Group commit of submissions. SQLite has one writer, and a submission's
//! transaction is a dozen statements, each a round trip to the writer's
//! thread, plus a commit that writes its pages to the log. When many contact
//! points and channels send at once, the submissions that arrive while one
//! group is being written are written together as the next group: one
//! transaction and the same dozen statements for all of them
//! ([`write::insert_many`]). Nobody waits for a group to fill: a lone
//! submission is a group of one.
//!
//! One task per node writes the groups, fed by a channel: it takes whatever
//! has arrived the moment the last group is done; on SQLite it runs on a
//! thread of its own, so it is never queued behind the requests it serves.
//! (An earlier design passed a
//! lock from request to request; the requests whose submissions had already
//! been written still took their turn with it, one wake-up each, and the
//! writer stood idle meanwhile: groups of one or two on a busy node.)
//!
//! Each submission stays whole or absent: the group commits or rolls back as
//! one, and every waiter hears the outcome. A client that goes away cannot cut
//! a group short. Several nodes each keep their own queue; the year's counter
//! row orders their groups.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::{mpsc, oneshot};

use super::analysis::Analyzer;
use super::bands::{self, Recent};
use super::signatures::Signatures;
use super::submit::Submitted;
use super::write::{self, Ready};
use crate::app::{AppState, Inner};
use crate::db::Dialect;
use crate::error::{AppError, AppResult};

/// Submissions written in one transaction at most.
const GROUP: usize = 64;

/// A submission, the analyzer that read it (its segmenter cuts the search
/// entry's words), and who waits for the outcome.
type Waiting = (Ready, Arc<Analyzer>, oneshot::Sender<Result<Submitted, String>>);

/// This node's queue of submissions waiting to be written.
#[derive(Default)]
pub struct Intake {
    /// The writer task's inbox; made, with the task, on first use and again
    /// if the task is gone.
    inbox: Mutex<Option<mpsc::UnboundedSender<Waiting>>>,
    /// The highest case id known committed (0: not known yet). It only ever
    /// lags the database: it is raised after a commit, or from a read.
    committed: AtomicI64,
    /// The newest cases' band keys, on SQLite.
    pub recent: Recent,
    /// Earlier cases' signatures, for the near-duplicate checks.
    pub signatures: Signatures,
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
        self.inbox(state)
            .send((item, analyzer, done))
            .map_err(|_| AppError::Internal(anyhow::anyhow!("提交写入任务已停止")))?;
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

    /// The writer's inbox, starting the writer if it is not running.
    fn inbox(&self, state: &AppState) -> mpsc::UnboundedSender<Waiting> {
        // A panic while holding this lock leaves the slot itself intact.
        let mut slot = self.inbox.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(inbox) = slot.as_ref().filter(|i| !i.is_closed()) {
            return inbox.clone();
        }
        let (inbox, queue) = mpsc::unbounded_channel();
        let task = writer(state.downgrade(), queue);
        if state.db.dialect() == Dialect::Sqlite {
            // dialect: SQLite's one writer gets a thread and runtime of its own.
            // A group is a dozen statements, each a reply that wakes the writer;
            // on the shared workers that wake-up waited behind the request tasks
            // queued there, and the write lock was held meanwhile (at scale 1,
            // 64 clients: 1 ms of writer time a submission, 0.6 ms on its own).
            let started = std::thread::Builder::new().name("liaison-writer".into()).spawn(move || {
                match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(runtime) => runtime.block_on(task),
                    // The queue goes with the task: submissions get a clear error.
                    Err(e) => tracing::error!(error = %e, "the submission writer could not start"),
                }
            });
            if let Err(e) = started {
                tracing::error!(error = %e, "the submission writer could not start");
            }
        } else {
            tokio::spawn(task);
        }
        *slot = Some(inbox.clone());
        inbox
    }
}

/// Writes groups until the state is gone: the first submission waiting and
/// every one behind it (up to [`GROUP`], read by the same analyzer). On
/// SQLite, once enough cases' band keys are held in memory, it folds them
/// into the table one slice per turn, between groups.
async fn writer(state: Weak<Inner>, mut queue: mpsc::UnboundedReceiver<Waiting>) {
    let mut held: Option<Waiting> = None;
    // A fold under way: its next slice.
    let mut folding: Option<u32> = None;
    loop {
        let first = match held.take() {
            Some(w) => Some(w),
            None if folding.is_some() => match queue.try_recv() {
                Ok(w) => Some(w),
                Err(mpsc::error::TryRecvError::Empty) => None,
                Err(mpsc::error::TryRecvError::Disconnected) => return,
            },
            None => match queue.recv().await {
                Some(w) => Some(w),
                None => return,
            },
        };
        let Some(state) = AppState::upgrade(&state) else { return };
        if let Some(first) = first {
            let analyzer = Arc::clone(&first.1);
            let mut group = vec![first];
            while group.len() < GROUP {
                match queue.try_recv() {
                    Ok(w) if Arc::ptr_eq(&w.1, &analyzer) => group.push(w),
                    Ok(w) => {
                        // Read by another analyzer (the dictionary changed): the next group.
                        held = Some(w);
                        break;
                    }
                    Err(_) => break,
                }
            }
            let s = state.clone();
            // In a task of its own: a panic fails this group's waiters, not the writer.
            let _ = tokio::spawn(async move { write_group(&s, &analyzer, group).await }).await;
        }
        folding = fold_turn(&state, folding).await;
    }
}

/// One turn of folding band keys into the table (SQLite): the next slice of
/// a fold under way, or the start of one when enough cases are held.
/// Returns the next slice while a fold is under way.
async fn fold_turn(state: &AppState, folding: Option<u32>) -> Option<u32> {
    let recent = &state.intake.recent;
    let slice = match folding {
        Some(slice) => slice,
        None if state.db.dialect() == Dialect::Sqlite && recent.len() >= bands::FOLD_AT => {
            recent.seal();
            0
        }
        None => return None,
    };
    let started = std::time::Instant::now();
    match recent.fold_slice(&state.db, slice, state.clock.now()).await {
        Ok(done) => {
            tracing::debug!(slice, micros = started.elapsed().as_micros() as u64, "band keys folded");
            (!done).then_some(slice + 1)
        }
        Err(e) => {
            // Memory keeps the keys; the next turn starts the fold again.
            tracing::error!(error = %e, "band keys were not folded into the table");
            None
        }
    }
}

/// Writes one group in one transaction and tells every waiter.
async fn write_group(state: &AppState, analyzer: &Analyzer, group: Vec<Waiting>) {
    let (items, waiters): (Vec<Ready>, Vec<_>) = group.into_iter().map(|(r, _, w)| (r, w)).unzip();
    let started = std::time::Instant::now();
    let mut committing = started;
    let written = async {
        let mut tx = state.db.begin().await?;
        let out = write::insert_many(&mut tx, state, analyzer.segmenter(), &items).await?;
        committing = std::time::Instant::now();
        tx.commit().await?;
        AppResult::Ok(out)
    }
    .await;
    match written {
        Ok(out) => {
            tracing::debug!(
                submissions = out.len(),
                micros = started.elapsed().as_micros() as u64,
                commit_micros = committing.elapsed().as_micros() as u64,
                "group written"
            );
            if state.db.dialect() == Dialect::Sqlite {
                // dialect: SQLite's newest band keys are held in memory.
                state.intake.recent.push(out.iter().zip(&items).map(|(s, r)| (s.id, r.analysis.signature)));
            }
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
