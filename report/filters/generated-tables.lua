--[[ generated-tables.lua: the build's Markdown tables enter the document after Quarto's own filters.

The review holds over thirty tables written by the build (build/analysis/tables/*.md), and they are most of
its document tree. Quarto runs some eighty Lua filter passes over the whole tree: they took about 13 of the
21 seconds of an HTML render and 12 of the 21 of a PDF one, and under 2 with the tables left out. Entering
after all of those passes, the tables cut the renders to about 12 s (HTML) and 11 s (PDF), with byte-identical
output (entering after the finalize passes rather than before them saves 1 s of the HTML and 1.7 s of the PDF).
So index.qmd names each table with a placeholder,

    ::: {generated-table="../build/analysis/tables/characteristics.md"}
    :::

and _quarto.yml runs this filter at `post-finalize`, after Quarto's filters and before citeproc: each
placeholder becomes the blocks of its file, read with the same Markdown reader settings. Citations in a table
are still resolved by citeproc, and selected-citations.lua runs again after this filter, so a subset report
cites only its selection inside tables too.

What Quarto's filters would have done to a table, and the writers need, is done here: in HTML the row classes
(`header`, `odd`, `even`; Quarto's page styling adds the `table` class by them) and `caption-top`; in Typst the
`typst:no-figure` class (the table already sits in its float's figure). A table that cross-references a
figure, table or section (`@fig-...`) must be included with `{{< include >}}` instead, because Quarto resolves
cross-references before this filter runs: such a table stops the render, naming its file. ]]

local CROSSREF = { fig = true, tbl = true, sec = true, eq = true, lst = true, thm = true }

local function read_table(path)
  local handle, problem = io.open(path, "r")
  if handle == nil then
    error("generated-tables.lua: cannot read " .. path .. " (" .. tostring(problem) .. "); run the build first")
  end
  local text = handle:read("a")
  handle:close()
  return pandoc.read(text, "markdown", PANDOC_READER_OPTIONS).blocks
end

local function refuse_crossrefs(blocks, path)
  blocks:walk({
    Cite = function(cite)
      for _, citation in ipairs(cite.citations) do
        local prefix = citation.id:match("^(%a+)%-")
        if prefix and CROSSREF[prefix] then
          error("generated-tables.lua: " .. path .. " cross-references @" .. citation.id .. ", which Quarto "
            .. "resolves before generated tables enter; include this table with {{< include " .. path .. " >}}")
        end
      end
    end,
  })
end

local function as_quarto_would(tbl)
  if FORMAT:match("html") then
    local function mark(rows, first)
      for number, row in ipairs(rows) do
        row.classes:insert(number % 2 == 0 and "even" or first)
      end
    end
    mark(tbl.head.rows, "header")
    for _, body in ipairs(tbl.bodies) do
      mark(body.body, "odd")
    end
    mark(tbl.foot.rows, "odd")
    tbl.classes:insert("caption-top")
  elseif FORMAT:match("typst") then
    tbl.classes:insert("typst:no-figure")
  end
  return tbl
end

return {{
  Div = function(div)
    local path = div.attributes["generated-table"]
    if path == nil then
      return nil
    end
    local blocks = read_table(path)
    refuse_crossrefs(blocks, path)
    return blocks:walk({ Table = as_quarto_would })
  end,
}}
