/** @jsxImportSource hono/jsx */
/**
 * A sale's CSV catalogue (docs/media.md): the import form (a file or pasted text), the preview of a
 * dry run (what would be created, every row's problems), the confirmation that imports the same text,
 * and the lots.csv download. The admin API imports a file whole, in one transaction, or not at all.
 */
import type { FC } from 'hono/jsx';
import type { Json } from './admin-client.ts';
import { FieldError, Notice, PostForm } from './layout.tsx';

const s = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

const Crumbs: FC<{ sale: Json }> = ({ sale }) => (
  <p class="crumbs">
    <a href="/admin/sales">Sales</a> /{' '}
    <a href={`/admin/sales/${encodeURIComponent(s(sale.id))}`}>{s(sale.title)}</a> / import
  </p>
);

/** The import form: a CSV file or its text pasted. */
export const ImportPage: FC<{
  sale: Json;
  csrf: string;
  text?: string | undefined;
  error?: string | undefined;
}> = (p) => {
  const id = encodeURIComponent(s(p.sale.id));
  const described = p.error === undefined ? 'f-csv-hint' : 'f-csv-hint f-csv-error';
  return (
    <>
      <Crumbs sale={p.sale} />
      <h1>Import lots from CSV</h1>
      <p>
        One lot per line after a header line. Columns: <code>lotNumber</code>, <code>title</code> and{' '}
        <code>opening</code> are needed; <code>description</code>, <code>estimateLow</code>,{' '}
        <code>estimateHigh</code>, <code>reserve</code>, <code>increments</code> (like{' '}
        <code>0:50.00;1000.00:100.00</code>), <code>consignorId</code>, <code>imageUrl</code> and{' '}
        <code>id</code> may be given. Amounts in {s(p.sale.currency)}, like <code>1200.00</code>. You see a
        preview before anything is created.
      </p>
      <p class="downloads">
        <a href={`/admin/sales/${id}/lots.csv`} download>
          Download lots.csv
        </a>{' '}
        (this sale's lots, in the same columns)
      </p>
      <form
        method="post"
        action={`/admin/sales/${id}/import`}
        enctype="multipart/form-data"
        class="card form"
        aria-label="Import lots from CSV"
      >
        <input type="hidden" name="csrf" value={p.csrf} />
        <Notice kind="error" text={p.error} />
        <div class="field wide">
          <label for="f-file">CSV file</label>
          <input id="f-file" name="file" type="file" accept=".csv,text/csv" aria-describedby="f-csv-hint" />
        </div>
        <div class={p.error === undefined ? 'field wide' : 'field wide invalid'}>
          <label for="f-csv">…or paste the CSV</label>
          <small id="f-csv-hint" class="hint">
            A chosen file is used before the pasted text. At most 2 MB, 2,000 lots.
          </small>
          <textarea
            id="f-csv"
            name="csv"
            rows={8}
            aria-invalid={p.error === undefined ? undefined : 'true'}
            aria-describedby={described}
          >
            {p.text ?? ''}
          </textarea>
          <FieldError id="f-csv-error" error={p.error} />
        </div>
        <button type="submit" class="primary">
          Preview the import
        </button>
      </form>
    </>
  );
};

export interface RowProblem {
  row: number;
  column: string | null;
  message: string;
}

/** The dry run's answer: what would be created, or every row's problems (and nothing to confirm). */
export const PreviewPage: FC<{
  sale: Json;
  csrf: string;
  text: string;
  lots: Json[];
  errors: RowProblem[];
}> = (p) => {
  const id = encodeURIComponent(s(p.sale.id));
  const currency = s(p.sale.currency);
  return (
    <>
      <Crumbs sale={p.sale} />
      <h1>Import preview</h1>
      {p.errors.length > 0 ? (
        <>
          <p class="notice error" role="alert">
            {`${p.errors.length} problem${p.errors.length === 1 ? '' : 's'} in the file: nothing will be imported until every row is right.`}
          </p>
          <div class="table-wrap">
            <table id="import-errors">
              <caption>Problems, by line of the file (the header is line 1)</caption>
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Column</th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {p.errors.map((e) => (
                  <tr>
                    <td>{String(e.row)}</td>
                    <td>{e.column ?? '—'}</td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : (
        <p class="notice ok" role="status">
          {`${p.lots.length} lot${p.lots.length === 1 ? '' : 's'} would be created.`}
        </p>
      )}
      {p.lots.length === 0 ? null : (
        <div class="table-wrap">
          <table id="import-lots">
            <caption>{p.errors.length > 0 ? 'Rows that are right' : 'Lots to create'}</caption>
            <thead>
              <tr>
                <th scope="col">No.</th>
                <th scope="col">Lot</th>
                <th scope="col">Estimate</th>
                <th scope="col">Opening</th>
                <th scope="col">Reserve</th>
              </tr>
            </thead>
            <tbody>
              {p.lots.map((l) => (
                <tr>
                  <td>{s(l.lotNumber)}</td>
                  <th scope="row">
                    {s(l.title)}
                    <small class="id">{s(l.id)}</small>
                  </th>
                  <td>
                    {l.estimateLow === undefined
                      ? '—'
                      : `${s(l.estimateLow)}–${s(l.estimateHigh)} ${currency}`}
                  </td>
                  <td>{`${s(l.opening)} ${currency}`}</td>
                  <td>{l.reserve === undefined ? '—' : `${s(l.reserve)} ${currency}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {p.errors.length === 0 && p.lots.length > 0 ? (
        <PostForm action={`/admin/sales/${id}/import`} csrf={p.csrf} label="Confirm the import">
          <input type="hidden" name="csv" value={p.text} />
          <input type="hidden" name="confirm" value="yes" />
          <button type="submit" class="primary">
            {`Import ${p.lots.length} lot${p.lots.length === 1 ? '' : 's'}`}
          </button>
        </PostForm>
      ) : null}
      <ImportAgain sale={p.sale} csrf={p.csrf} text={p.text} />
    </>
  );
};

/** The text again, to correct and preview anew. */
const ImportAgain: FC<{ sale: Json; csrf: string; text: string }> = (p) => (
  <form
    method="post"
    action={`/admin/sales/${encodeURIComponent(s(p.sale.id))}/import`}
    enctype="multipart/form-data"
    class="card form"
    aria-label="Correct and preview again"
  >
    <input type="hidden" name="csrf" value={p.csrf} />
    <div class="field wide">
      <label for="f-csv">Correct the CSV and preview again</label>
      <textarea id="f-csv" name="csv" rows={8}>
        {p.text}
      </textarea>
    </div>
    <button type="submit">Preview again</button>
  </form>
);
