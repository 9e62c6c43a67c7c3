namespace MailHost.Server.Administration.Console;

/// <summary>
/// The console's one stylesheet, served by <see cref="ConsoleRoutes"/> as a file of its own (no inline styles, so a
/// strict Content-Security-Policy stays possible). System fonts, colours above WCAG AA contrast (4.5:1 for text),
/// tables that scroll sideways on a phone instead of widening the page, and a navigation bar that wraps.
/// </summary>
internal static class ConsoleStylesheet
{
    public const string Css = """
        :root { --fg: #1b1f24; --muted: #4a5360; --bg: #ffffff; --panel: #f4f6f8; --line: #c9d1da;
                --accent: #0b57b0; --accent-fg: #ffffff; --ok-bg: #e6f4ea; --ok-fg: #0f5223; --err-bg: #fdecea; --err-fg: #8a1c12; }
        * { box-sizing: border-box; }
        html { font-size: 100%; }
        body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); line-height: 1.45; }
        a { color: var(--accent); }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
        header.bar { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; padding: .6rem 1rem; background: #102a43; color: #ffffff; }
        header.bar .brand { font-weight: 700; color: #ffffff; text-decoration: none; margin-right: .5rem; }
        header.bar nav ul { display: flex; flex-wrap: wrap; gap: .25rem .9rem; list-style: none; margin: 0; padding: 0; }
        header.bar nav a { color: #ffffff; text-decoration: none; padding: .15rem 0; border-bottom: 2px solid transparent; }
        header.bar nav a[aria-current="page"] { border-bottom-color: #ffffff; font-weight: 600; }
        header.bar form.signout { margin-left: auto; }
        header.bar .who { color: #d9e2ec; font-size: .9rem; }
        main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
        h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
        .table-scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: .5rem 0 1rem; border: 1px solid var(--line); border-radius: 4px; }
        table { border-collapse: collapse; width: 100%; font-size: .95rem; }
        th, td { text-align: left; vertical-align: top; padding: .4rem .6rem; border-bottom: 1px solid var(--line); }
        thead th { background: var(--panel); white-space: nowrap; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        td code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; word-break: break-all; }
        pre.trace { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .8rem; overflow-x: auto; max-height: 70vh; padding: .5rem; border: 1px solid var(--line); border-radius: 4px; white-space: pre; }
        .nowrap { white-space: nowrap; }
        ul.plain { list-style: none; margin: 0; padding: 0; }
        form.stack { display: grid; gap: .6rem; max-width: 28rem; margin: .5rem 0 1rem; }
        form.inline { display: inline; }
        label { font-weight: 600; }
        label.check { font-weight: 400; display: flex; gap: .4rem; align-items: center; }
        input[type=text], input[type=password], input[type=email], input[type=number], textarea, select { width: 100%; padding: .45rem .5rem; font: inherit; color: var(--fg); background: #ffffff; border: 1px solid #6b7785; border-radius: 4px; }
        button { font: inherit; padding: .4rem .8rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-fg); cursor: pointer; }
        button.secondary { background: #ffffff; color: var(--accent); }
        button.danger { background: #a4161a; border-color: #a4161a; color: #ffffff; }
        header.bar button { background: transparent; border-color: #ffffff; color: #ffffff; }
        td button { padding: .2rem .5rem; font-size: .9rem; margin: 0 .2rem .2rem 0; }
        .message { padding: .6rem .8rem; border-radius: 4px; margin: .5rem 0 1rem; border: 1px solid; }
        .message.ok { background: var(--ok-bg); color: var(--ok-fg); border-color: #7bc28f; }
        .message.error { background: var(--err-bg); color: var(--err-fg); border-color: #e59a93; }
        .token { display: block; padding: .5rem; background: var(--panel); border: 1px dashed var(--line); user-select: all; }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: .8rem; }
        .card { border: 1px solid var(--line); border-radius: 6px; padding: .7rem .9rem; background: var(--panel); }
        .card h2 { margin-top: 0; font-size: 1.05rem; }
        .card .big { font-size: 1.6rem; font-weight: 700; font-variant-numeric: tabular-nums; }
        dl.pairs { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
        dl.pairs dt { font-weight: 600; }
        dl.pairs dd { margin: 0; }
        .muted { color: var(--muted); }
        .badge { display: inline-block; padding: 0 .4rem; border-radius: 3px; font-size: .85rem; border: 1px solid var(--line); background: #ffffff; }
        .badge.bad { color: var(--err-fg); border-color: #e59a93; background: var(--err-bg); }
        .badge.good { color: var(--ok-fg); border-color: #7bc28f; background: var(--ok-bg); }
        .signin { max-width: 24rem; margin: 3rem auto; }
        @media (max-width: 40rem) {
            main { padding: .75rem; }
            h1 { font-size: 1.35rem; }
            header.bar form.signout { margin-left: 0; }
            form.stack { max-width: none; }
        }
        """;
}
