"""funnelsim from Python: load a scenario, run it, compare, sweep and rank parameters, and read
the results as dicts and pandas DataFrames, without the command line.

    import funnelsim
    base = funnelsim.load("scenarios/saas_baseline.json")
    result = funnelsim.run(base, replications=200, seed=7)
    result.summary["metrics"]["sqls"]["mean"]      # summary.json, parsed
    result.replications["sqls"].describe()         # replications.csv as a DataFrame
    raised = base.with_changes({"/scoring/mql_threshold": 75})
    funnelsim.compare(base, [raised], replications=200).table

Every result is the very text the command line writes (the same writers, the same run
identifier): ``to_files(folder)`` writes the files ``funnelsim ... --out folder`` would, byte for
byte. Long jobs run on worker threads with the GIL released; Ctrl-C (or a Jupyter kernel
interrupt) stops them within a second with KeyboardInterrupt and no result.
"""
from __future__ import annotations

import csv
import io
import json
import os
import sys
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _core
from ._errors import Issue, ResultWriteError, ScenarioError, UsageError

__all__ = [
    "Issue", "ScenarioError", "UsageError", "ResultWriteError",
    "Scenario", "load", "run", "compare", "sweep", "sensitivity", "observe", "calibrate",
    "Result", "Comparison", "Sweep", "Sensitivity", "Observed", "Calibration",
    "report_charts_available", "__version__",
]

__version__: str = _core.__version__

#: What a scenario argument may be: a Scenario, a scenario file's path, or a scenario as a dict.
ScenarioLike = Union["Scenario", str, "os.PathLike[str]", Mapping[str, Any]]
#: progress=: None or False (no progress), True (a tqdm bar when tqdm is installed, else a line on
#: stderr), or a callable taking (done, total) replications, called from the calling thread.
Progress = Union[None, bool, Callable[[int, int], Any]]

DEFAULT_MEMORY_BUDGET_MIB = 4096  # as the command line's --memory-budget
_MAX_SEED = 2**53 - 1             # as the scenario's "seed" (exact in any JSON reader)
_MAX_REPLICATIONS = 100_000_000   # as the command line's --replications
_MAX_THREADS = 1024


def report_charts_available() -> bool:
    """Whether this build carries the chart libraries the HTML report inlines."""
    return _core.report_charts_available()


# --- scenarios ------------------------------------------------------------------------------

def _changes(changes: Optional[Mapping[str, Any]], argument: str) -> List[Tuple[str, str]]:
    """(JSON Pointer, value as JSON text) pairs: any JSON value, kept as the type it is."""
    if changes is None:
        return []
    if not isinstance(changes, Mapping):
        raise TypeError(f"{argument}: expected a dict {{json_pointer: value}}, found {type(changes).__name__}")
    pairs = []
    for pointer, value in changes.items():
        if not isinstance(pointer, str):
            raise TypeError(f"{argument}: expected JSON Pointer strings as keys, found {pointer!r}")
        try:
            text = json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise ScenarioError([Issue(pointer, "a JSON value (in a change)", f"{value!r} ({e})")]) from None
        pairs.append((pointer, text))
    return pairs


class Scenario:
    """A validated scenario: its document after ``extends`` and changes, ready to run.
    Make one with :func:`load`; it never changes (``with_changes`` returns a new one)."""

    __slots__ = ("_core",)

    def __init__(self, core: "_core.Scenario") -> None:
        self._core = core

    @property
    def name(self) -> str:
        """The scenario's name (its file's name, or "scenario" for a dict, when it has none)."""
        return self._core.name

    @property
    def seed(self) -> int:
        """The seed a job uses unless given one."""
        return self._core.seed

    @property
    def replications(self) -> int:
        """The replications a job runs unless given a count."""
        return self._core.replications

    @property
    def horizon_days(self) -> int:
        """The days one replication measures (a warm-up, if any, runs before them)."""
        return self._core.horizon_days

    @property
    def path(self) -> Optional[str]:
        """The file it was read from, as given; None for a dict."""
        return self._core.path

    @property
    def uncertain(self) -> List[str]:
        """The JSON Pointers of its uncertain inputs (drawn once per replication)."""
        return list(self._core.uncertain)

    def with_changes(self, changes: Mapping[str, Any]) -> "Scenario":
        """A new scenario with fields changed: ``{"/scoring/mql_threshold": 75}``, as the
        command line's ``--set`` (a pointer's parent must exist; "-" appends to an array).
        Raises ScenarioError when the result is not a valid scenario."""
        return Scenario(self._core.with_changes(_changes(changes, "with_changes")))

    def to_dict(self) -> Dict[str, Any]:
        """The document as the engine reads it before defaults: ``extends`` merged, changes
        applied (what ``funnelsim run FILE --set ...`` reads)."""
        return json.loads(self._core.document_text())

    def resolved(self) -> Dict[str, Any]:
        """The document with profiles merged and every default filled in, as ``funnelsim
        validate --resolved`` prints it (uncertain values where the engine reads them)."""
        return json.loads(self._core.resolved_text())

    def __repr__(self) -> str:
        where = f" from {self.path!r}" if self.path else ""
        return (f"<funnelsim.Scenario {self.name!r}{where}: {self.horizon_days} days, "
                f"{self.replications} replications, seed {self.seed}>")


def load(source: Union[str, "os.PathLike[str]", Mapping[str, Any]],
         set: Optional[Mapping[str, Any]] = None) -> Scenario:
    """Reads and validates a scenario: a file's path, or a dict holding the scenario itself.

    ``set`` changes fields before validation, as the command line's ``--set``:
    ``load("scenarios/saas_baseline.json", set={"/scoring/mql_threshold": 75})``. A dict's
    ``extends`` names a file relative to the current folder. Raises ScenarioError (a
    ValueError whose ``pointer``, ``expected`` and ``found`` say what is wrong, ``issues`` every
    problem) for a bad scenario or a file that cannot be read.
    """
    changes = _changes(set, "set")
    if isinstance(source, Mapping):
        try:
            text = json.dumps(source, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise ScenarioError([Issue("", "a scenario made of JSON values", str(e))]) from None
        return Scenario(_core.Scenario.from_text(text, "", changes))
    if isinstance(source, (str, os.PathLike)):
        return Scenario(_core.Scenario.from_file(os.fspath(source), changes))
    raise TypeError(f"load: expected a path or a dict, found {type(source).__name__}")


def _scenario(value: ScenarioLike, argument: str, one_of_several: bool = False) -> Scenario:
    """`value` loaded; one of several inputs (compare's) names itself in its errors, as the
    command line names the file: by its path, or by the argument for a dict."""
    if isinstance(value, Scenario):
        return value
    if not isinstance(value, (str, os.PathLike, Mapping)):
        raise TypeError(f"{argument}: expected a Scenario, a path or a dict, found {type(value).__name__}")
    try:
        return load(value)
    except ScenarioError as e:
        if not one_of_several:
            raise
        raise ScenarioError(e.issues, argument if isinstance(value, Mapping) else os.fspath(value)) from None


# --- arguments -----------------------------------------------------------------------------

def _whole(argument: str, value: Optional[int], low: int, high: int) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UsageError(f"expected a whole number from {low} to {high}, found {value!r}", argument)
    return value


def _controls(seed: Optional[int], replications: Optional[int], first_replication: int,
              precision: Optional[str]) -> "_core.RunControls":
    if precision is not None and not isinstance(precision, str):
        raise TypeError(f"precision: expected text METRIC=REL% such as \"sqls=1%\", found {precision!r}")
    return _core.RunControls(
        seed=_whole("seed", seed, 0, _MAX_SEED),
        replications=_whole("replications", replications, 1, _MAX_REPLICATIONS),
        first_replication=_whole("first_replication", first_replication, 0, _MAX_SEED),
        precision=precision or "")


def _threads(threads: Optional[int]) -> int:
    """0 asks for every core."""
    return _whole("threads", threads, 1, _MAX_THREADS) or 0


def _budget(memory_budget: int) -> int:
    return _whole("memory_budget", memory_budget, 1, 2**40)  # type: ignore[return-value]


class _TextBar:
    """A progress line on stderr, for progress=True without tqdm."""

    def __init__(self) -> None:
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} replications ")
        sys.stderr.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()


class _TqdmBar:
    """A tqdm bar (tqdm.auto: a widget in Jupyter) fed by the job's (done, total)."""

    def __init__(self, tqdm: Any) -> None:
        self._tqdm = tqdm
        self._bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = self._tqdm(total=total, unit="replication", unit_scale=False)
        if self._bar.total != total:  # a precision target adds batches
            self._bar.total = total
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _progress_bar() -> Any:
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _TextBar()
    return _TqdmBar(tqdm)


def _job(call: Callable[[Any], "_core.JobOutput"], progress: Progress) -> "_core.JobOutput":
    if progress is None or progress is False:
        return call(None)
    if progress is True:
        bar = _progress_bar()
        try:
            return call(bar)
        finally:
            bar.close()
    if callable(progress):
        return call(progress)
    raise TypeError(f"progress: expected None, True, False or a callable (done, total), found {progress!r}")


# --- tables --------------------------------------------------------------------------------

def _table(text: str) -> Any:
    """A CSV file as written: a pandas DataFrame (empty cells NaN, nothing else read as
    missing), or without pandas a dict of numpy arrays, one per column."""
    try:
        import pandas
    except ImportError:
        pandas = None
    if pandas is not None:
        return pandas.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    return _columns(text)


def _columns(text: str) -> Dict[str, Any]:
    rows = list(csv.reader(io.StringIO(text)))
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    try:
        import numpy
    except ImportError:
        numpy = None
    columns: Dict[str, Any] = {}
    for i, name in enumerate(header):
        cells = [row[i] for row in body]
        try:
            values: Any = [float(c) if c != "" else float("nan") for c in cells]
        except ValueError:
            values = cells
            columns[name] = numpy.array(values, dtype=object) if numpy is not None else values
            continue
        columns[name] = numpy.array(values, dtype=float) if numpy is not None else values
    return columns


class _Output:
    """What a job produced; the text of its files is the command line's, byte for byte."""

    __slots__ = ("_output", "_files", "_summary")
    _summary_file = ""

    def __init__(self, output: "_core.JobOutput") -> None:
        self._output = output
        self._files: Optional[Dict[str, str]] = None
        self._summary: Optional[Dict[str, Any]] = None

    @property
    def run_id(self) -> str:
        """The run identifier every file names (16 hex digits), the command line's for the same
        request."""
        return self._output.run_id

    @property
    def files(self) -> Dict[str, str]:
        """The result files as ``to_files`` writes them (file name -> text), run_id included."""
        if self._files is None:
            self._files = dict(self._output.files())
        return dict(self._files)

    @property
    def summary(self) -> Dict[str, Any]:
        """The JSON result file, parsed (summary.json, compare.json, sweep.json, sensitivity.json)."""
        if self._summary is None:
            self._summary = json.loads(self._file(self._summary_file))
        return self._summary

    @property
    def text(self) -> str:
        """The table the command line prints."""
        return self._output.text()

    def _file(self, name: str) -> str:
        if self._files is None:
            self._files = dict(self._output.files())
        return self._files[name]

    def to_files(self, folder: Union[str, "os.PathLike[str]"], report: bool = False) -> str:
        """Writes the result files into ``folder`` as one set, as ``--out folder`` does (and
        report.html in it when ``report``): a fresh private staging folder swapped in with one
        rename, so a reader sees the old set or the new one. The folder must be new or hold only
        funnelsim results. Returns the folder written, absolute. Raises UsageError for a folder
        that cannot hold results, ResultWriteError when writing fails (the folder is unchanged)."""
        return self._output.write(os.fspath(folder), bool(report))

    def report(self, path: Union[str, "os.PathLike[str]"]) -> str:
        """Writes the self-contained HTML report to ``path`` (as ``--report``), never over a
        scenario file of the job. Returns the path."""
        self._output.write_report(os.fspath(path))
        return os.fspath(path)

    def report_html(self) -> str:
        """The HTML report's text (e.g. for IPython.display.HTML)."""
        return self._output.report_html()

    def __repr__(self) -> str:
        return self.text


class Result(_Output):
    """A run: ``summary`` (summary.json), ``replications`` (replications.csv: one row per
    replication, one column per metric), ``weekly`` (weekly.csv, long format)."""

    __slots__ = ()
    _summary_file = "summary.json"

    @property
    def replications(self) -> Any:
        """replications.csv as a DataFrame (numpy arrays by column without pandas)."""
        return _table(self._file("replications.csv"))

    @property
    def weekly(self) -> Any:
        """weekly.csv as a DataFrame: source, series, week, first_day and the statistics."""
        return _table(self._file("weekly.csv"))


class Comparison(_Output):
    """A comparison: ``summary`` (compare.json) and ``table`` (compare.csv: every paired
    difference, one row per variant, scope and metric)."""

    __slots__ = ()
    _summary_file = "compare.json"

    @property
    def table(self) -> Any:
        """compare.csv as a DataFrame: variant, scope_kind, scope, metric, the means, the paired
        difference with its 95% CI, p_better and the variance reduction."""
        return _table(self._file("compare.csv"))


class Sweep(_Output):
    """A sweep: ``summary`` (sweep.json: points, best point, Pareto front) and ``table``
    (sweep.csv: one row per point, scope and metric)."""

    __slots__ = ()
    _summary_file = "sweep.json"

    @property
    def table(self) -> Any:
        """sweep.csv as a DataFrame: point, one column per parameter, scope_kind, scope, metric and
        the statistics."""
        return _table(self._file("sweep.csv"))


class Sensitivity(_Output):
    """A tornado: ``summary`` (sensitivity.json) and ``table`` (sensitivity.csv: one row per
    parameter, in rank order)."""

    __slots__ = ()
    _summary_file = "sensitivity.json"

    @property
    def table(self) -> Any:
        """sensitivity.csv as a DataFrame: rank, pointer, the base, low and high values and each
        side's mean with its 95% CI."""
        return _table(self._file("sensitivity.csv"))


# --- jobs ----------------------------------------------------------------------------------

def run(scenario: ScenarioLike, replications: Optional[int] = None, seed: Optional[int] = None,
        threads: Optional[int] = None, precision: Optional[str] = None, first_replication: int = 0,
        progress: Progress = None, memory_budget: int = DEFAULT_MEMORY_BUDGET_MIB) -> Result:
    """Runs a scenario, as ``funnelsim run``.

    replications, seed: the scenario's unless given. threads: all cores unless given (results
    are the same for any count). precision: ``"METRIC=REL%"`` adds replications in batches of 50
    until the 95% CI half-width of the metric's mean is below REL% of it (``replications`` caps
    it, default 20,000). first_replication: to split one run across machines. progress: see
    ``Progress``. memory_budget: MiB; a job estimated above it raises MemoryError before it runs.
    """
    s = _scenario(scenario, "scenario")
    controls = _controls(seed, replications, first_replication, precision)
    threads_, budget = _threads(threads), _budget(memory_budget)
    return Result(_job(lambda bar: _core.run(s._core, controls, threads_, budget, bar), progress))


def compare(base: ScenarioLike, variants: Union[ScenarioLike, Sequence[ScenarioLike]],
            replications: Optional[int] = None, seed: Optional[int] = None, threads: Optional[int] = None,
            precision: Optional[str] = None, first_replication: int = 0, progress: Progress = None,
            memory_budget: int = DEFAULT_MEMORY_BUDGET_MIB) -> Comparison:
    """Compares variants with a base on common random numbers, as ``funnelsim compare``: every
    scenario runs the base's seed and replications, each variant paired with the base
    replication by replication. A precision target applies to every variant's paired difference.
    """
    if isinstance(variants, (Scenario, str, os.PathLike, Mapping)):
        variants = [variants]
    scenarios = [_scenario(base, "base", True)] + [_scenario(v, f"variants[{i}]", True)
                                                    for i, v in enumerate(variants)]
    if len(scenarios) < 2:
        raise UsageError("expected at least one variant, found none", "variants")
    controls = _controls(seed, replications, first_replication, precision)
    threads_, budget = _threads(threads), _budget(memory_budget)
    cores = [s._core for s in scenarios]
    return Comparison(_job(lambda bar: _core.compare(cores, controls, threads_, budget, bar), progress))


def _param_text(pointer: str, values: Union[str, Iterable[Any]]) -> str:
    """The command line's --param text: "PTR=a:b:step" or "PTR=v1,v2,..." (values as JSON)."""
    if not isinstance(pointer, str):
        raise TypeError(f"params: expected JSON Pointer strings as keys, found {pointer!r}")
    if isinstance(values, str):
        return f"{pointer}={values}"
    try:
        texts = [json.dumps(v, allow_nan=False, separators=(",", ":")) for v in values]
    except (TypeError, ValueError) as e:
        raise UsageError(f"expected a list of JSON values or a range text \"a:b:step\", found {values!r} ({e})",
                         f"params {pointer}") from None
    return f"{pointer}={','.join(texts)}"


def sweep(scenario: ScenarioLike, params: Mapping[str, Union[str, Iterable[Any]]],
          objective: Optional[str] = None, pareto: Union[None, str, Tuple[str, str]] = None,
          replications: Optional[int] = None, seed: Optional[int] = None, threads: Optional[int] = None,
          precision: Optional[str] = None, first_replication: int = 0, progress: Progress = None,
          memory_budget: int = DEFAULT_MEMORY_BUDGET_MIB) -> Sweep:
    """Runs a grid of parameter values on common random numbers, as ``funnelsim sweep``.

    params: ``{pointer: values}``, each a list (``[55, 65, 75]``) or a range text
    (``"55:75:10"``); the grid is their product, the first varying slowest. objective:
    ``"minimize|maximize METRIC [subject to METRIC >= NUMBER [and ...]]"``. pareto: two metrics,
    ``("cost_per_sql_marketing", "sqls")`` or ``"cost_per_sql_marketing,sqls"``.
    """
    s = _scenario(scenario, "scenario")
    if not isinstance(params, Mapping) or not params:
        raise UsageError("expected a dict {json_pointer: values} with at least one parameter", "params")
    texts = [_param_text(pointer, values) for pointer, values in params.items()]
    if isinstance(pareto, tuple):
        pareto = ",".join(pareto)
    controls = _controls(seed, replications, first_replication, precision)
    threads_, budget = _threads(threads), _budget(memory_budget)
    return Sweep(_job(lambda bar: _core.sweep(s._core, texts, objective or "", pareto or "", controls, threads_,
                                              budget, bar), progress))


def sensitivity(scenario: ScenarioLike, vary: Union[str, float] = "20%", metric: str = "cost_per_sql_marketing",
                params: Union[None, str, Sequence[str]] = None, replications: Optional[int] = None,
                seed: Optional[int] = None, threads: Optional[int] = None, progress: Progress = None,
                memory_budget: int = DEFAULT_MEMORY_BUDGET_MIB) -> Sensitivity:
    """Ranks parameters by their effect on a whole-funnel metric (a one-at-a-time tornado), as
    ``funnelsim sensitivity``: each parameter moves down and up by ``vary`` ("20%" or 0.2) on
    the base's seed and replications. params: JSON Pointers into the resolved scenario
    (``Scenario.resolved()``); default every numeric field that is not an integer.
    """
    s = _scenario(scenario, "scenario")
    vary_text = vary if isinstance(vary, str) else repr(vary)
    if isinstance(params, str) or params is None:
        params_text = params or ""
    else:
        params_text = ",".join(params)
    controls = _controls(seed, replications, 0, None)
    threads_, budget = _threads(threads), _budget(memory_budget)
    return Sensitivity(_job(lambda bar: _core.sensitivity(s._core, vary_text, metric, params_text, controls, threads_,
                                                          budget, bar), progress))


class Observed(Result):
    """The funnel a CRM export records, as ``funnelsim observe`` reads it: ``summary``
    (summary.json with "kind": "observed": each metric with its 95% interval, what was read and
    left out), ``replications`` (one row: the observed metrics in run's columns, so it lines up
    with a run's replications), ``weekly`` (volumes and cohort conversion per source and week)."""

    __slots__ = ()


def _day(argument: str, value: Any) -> str:
    """A day as the command line takes it: "YYYY-MM-DD" text, or a datetime.date."""
    if value is None:
        return ""
    if hasattr(value, "isoformat") and not isinstance(value, str):
        value = value.isoformat()[:10]
    if not isinstance(value, str):
        raise TypeError(f"{argument}: expected a day as \"YYYY-MM-DD\" or a datetime.date, found {value!r}")
    return value


def observe(exports: Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]],
            format: str = "auto", mapping: Union[None, str, "os.PathLike[str]"] = None,
            from_date: Any = None, to_date: Any = None, date_order: Optional[str] = None,
            strict: bool = False) -> Observed:
    """Reads a HubSpot or Salesforce export (CSV files, or folders of them) and measures the
    funnel it records, as ``funnelsim observe``: the same files byte for byte, run_id included.
    format: "auto" (recognised from the headers), "hubspot" or "salesforce". mapping: a mapping
    file (renamed columns, custom stages, source values). from_date, to_date: the window,
    "YYYY-MM-DD" or a datetime.date (default: the records'). date_order: "month-first" or
    "day-first" for dates like 03/04/2025. strict: refuse rows with impossible orders instead of
    leaving them out. Errors raise UsageError naming the argument, or the file, row and column.
    """
    if isinstance(exports, (str, os.PathLike)):
        exports = [exports]
    paths = [os.fspath(e) for e in exports]
    mapping_text = os.fspath(mapping) if mapping is not None else ""
    output = _core.observe(paths, format, mapping_text, _day("from_date", from_date), _day("to_date", to_date),
                           date_order or "", bool(strict))
    return Observed(output)


class Calibration(_Output):
    """A fit of a scenario to an observed funnel, as ``funnelsim calibrate``: ``summary``
    (fit.json: each parameter's estimate with its 95% interval, the correlations, every target
    moment observed beside simulated, the J test and its verdict), ``table`` (fit.csv) and
    ``scenario`` (calibrated.json loaded: the base with the fitted values, ready to run)."""

    __slots__ = ()
    _summary_file = "fit.json"

    @property
    def table(self) -> Any:
        """fit.csv as a DataFrame: one row per parameter and per target moment."""
        return _table(self._file("fit.csv"))

    @property
    def calibrated(self) -> Dict[str, Any]:
        """calibrated.json, parsed: it ``extends`` the base file (by a path relative to the
        current folder) and holds only what the fit changed."""
        return json.loads(self._file("calibrated.json"))

    @property
    def scenario(self) -> "Scenario":
        """calibrated.json as a Scenario, for run, compare, sweep and sensitivity."""
        return Scenario(_core.Scenario.from_text(self._file("calibrated.json"), "", []))


def calibrate(base: ScenarioLike,
              observed: Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]],
              free: Union[None, str, Sequence[str]] = None, replications: Optional[int] = None,
              seed: Optional[int] = None, threads: Optional[int] = None,
              mapping: Union[None, str, "os.PathLike[str]"] = None, from_date: Any = None, to_date: Any = None,
              progress: Progress = None) -> Calibration:
    """Fits ``base`` (a scenario file, or a Scenario loaded from one, with any ``set`` changes) to
    the funnel a CRM export records, as ``funnelsim calibrate``: the same files byte for byte
    (``to_files``), run_id included. observed: CSV exports or folders of them, or one folder
    ``observe`` wrote. free: JSON Pointers of the parameters to fit, a ``*`` token making one
    scale of every field it matches (default: per source the readiness alpha and the
    behaviour-rate scale, the acceptance midpoint, and ``/sales/teams/*/handle_time/mean_minutes``).
    replications: simulated exports per parameter value (default 24); the seed is held fixed
    across values (default: the scenario's). mapping,
    from_date, to_date: as observe's. Errors raise UsageError naming the argument, or
    ScenarioError for a bad base.
    """
    s = _scenario(base, "base")
    if isinstance(observed, (str, os.PathLike)):
        observed = [observed]
    paths = [os.fspath(o) for o in observed]
    if free is None:
        pointers: List[str] = []
    elif isinstance(free, str):
        pointers = [p for p in free.split(",") if p]
    else:
        pointers = list(free)
        for p in pointers:
            if not isinstance(p, str):
                raise TypeError(f"free: expected JSON Pointer strings, found {p!r}")
    mapping_text = os.fspath(mapping) if mapping is not None else ""
    seed_ = _whole("seed", seed, 0, _MAX_SEED)
    replications_ = _whole("replications", replications, 4, 100_000)
    threads_ = _threads(threads)
    return Calibration(_job(lambda bar: _core.calibrate(s._core, paths, pointers, mapping_text,
                                                        _day("from_date", from_date), _day("to_date", to_date),
                                                        seed_, replications_, threads_, bar), progress))
