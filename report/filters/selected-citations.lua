--[[ selected-citations.lua: the report cites only the works of the current selection.

The build writes the works a report may cite into the document metadata as `values.included`, a map from
study key to true (src/alsreview/document/prose/flags.py). _quarto.yml runs this filter before Quarto's own
filters, so before citeproc, for every output format. It does three things, in this order.

1. Text that only exists to report what particular works found is marked with the class `if-cited`, on a span
   or a div: `[Running in a wheel helped [@kaspar2005].]{.if-cited}`. When anything cited inside it is
   outside the selection, the whole span or div goes; otherwise its content stays and the wrapper is removed.
2. Every other citation keeps only the works in the selection: `[@a; @b]` becomes `[@b]` when `a` is left
   out, and a citation left with no work disappears.
3. Where something was removed, the text around it is tidied: no empty `()` or `[]`, no `;` or `,` left
   against a bracket, no space before `.`, `,`, `;`, `:`, `!`, `?` or a closing bracket, no two spaces in a
   row, and a paragraph left empty is dropped.

Only keys found in the bibliography are judged. Cross-references (`@fig-...`, `@tbl-...`) and keys the
bibliography lacks are left alone, so citeproc still warns about a mistyped key instead of it vanishing.
When the bibliography cannot be read, every key that does not look like a cross-reference is judged.

Without `values.included` in the metadata (a document rendered without the build's values.yml) nothing is
dropped: every citation is kept and every `if-cited` span is shown (without its wrapper).
]]

local CLASS = "if-cited"

local included = nil      -- set of keys the selection may cite; nil when the metadata has no selection
local in_bibliography = nil -- set of keys in the bibliography; nil when it could not be read

local function truthy(value)
  if value == true then return true end
  if value == false or value == nil then return false end
  return pandoc.utils.stringify(value) == "true"
end

local function read_selection(meta)
  local values = meta.values
  if type(values) ~= "table" or values.included == nil then
    return nil
  end
  local set = {}
  if type(values.included) == "table" then
    for key, value in pairs(values.included) do
      if type(key) == "string" and truthy(value) then
        set[key] = true
      end
    end
  end
  return set
end

local function read_bibliography(doc)
  local ok, references = pcall(pandoc.utils.references, doc)
  if not ok then
    io.stderr:write("selected-citations.lua: could not read the bibliography (" .. tostring(references)
      .. "); judging every key that is not a cross-reference\n")
    return nil
  end
  local set = {}
  for _, reference in ipairs(references) do
    set[reference.id] = true
  end
  return set
end

local function looks_like_crossref(id)
  return id:match("^%a+%-") ~= nil
end

-- A key is dropped when a selection is known, the key is a bibliographic work, and the selection lacks it.
local function dropped(id)
  if included == nil or included[id] then
    return false
  end
  if in_bibliography ~= nil then
    return in_bibliography[id] == true
  end
  return not looks_like_crossref(id)
end

local function cites_a_dropped_work(element)
  local found = false
  element:walk({
    Cite = function(cite)
      for _, citation in ipairs(cite.citations) do
        if dropped(citation.id) then
          found = true
        end
      end
    end,
  })
  return found
end

local function has_class(element)
  return element.classes ~= nil and element.classes:includes(CLASS)
end

local function is_space(element)
  return element ~= nil and (element.t == "Space" or element.t == "SoftBreak")
end

-- Where something was removed, a marker stands in its place until the list is tidied.
local function marker()
  return pandoc.RawInline("selected-citations", "removed")
end

local function is_marker(element)
  return element ~= nil and element.t == "RawInline" and element.format == "selected-citations"
end

-- At either end of a list, a run of spaces and markers that holds a marker goes entirely: "see [@b]" ending a
-- span loses its trailing space along with the citation.
local function strip_removed_edges(inlines)
  local function run_end(from, to, step)
    local i, marked = from, false
    while i ~= to + step and (is_space(inlines[i]) or is_marker(inlines[i])) do
      marked = marked or is_marker(inlines[i])
      i = i + step
    end
    return i, marked
  end
  local first, marked_first = run_end(1, #inlines, 1)
  local last, marked_last = run_end(#inlines, 1, -1)
  local result = pandoc.List()
  for i, element in ipairs(inlines) do
    local cut = (marked_first and i < first) or (marked_last and i > last)
    if not cut and not is_marker(element) then
      result:insert(element)
    end
  end
  return result
end

local function tidy_once(inlines)
  local merged = pandoc.List()
  for _, element in ipairs(inlines) do
    local last = merged[#merged]
    if element.t == "Str" and last ~= nil and last.t == "Str" then
      merged[#merged] = pandoc.Str(last.text .. element.text)
    else
      merged:insert(element)
    end
  end

  local result = pandoc.List()
  for _, element in ipairs(merged) do
    if element.t == "Str" then
      local text, before = element.text, nil
      repeat
        before = text
        text = text:gsub("%(%s*[;,]?%s*%)", ""):gsub("%[%s*[;,]?%s*%]", "")
        text = text:gsub("([%(%[])[;,]", "%1"):gsub("[;,]([%)%]])", "%1")
      until text == before
      if text ~= "" then
        if text:match("^[%.,;:!%?%)%]]") then
          while is_space(result[#result]) do
            result:remove()
          end
        end
        result:insert(pandoc.Str(text))
      end
    elseif is_space(element) then
      local previous = result[#result]
      if is_space(previous) then
        if element.t == "SoftBreak" then
          result[#result] = element -- keep the line break rather than the space
        end
      elseif not (previous ~= nil and previous.t == "Str" and previous.text:match("[%(%[]$")) then
        result:insert(element)
      end
    else
      result:insert(element)
    end
  end
  return result
end

-- Tidy an inline list in which markers show what was removed. Merging words and removing spaces can bring
-- new neighbours together, so the pass repeats until nothing changes. The ends of the list are touched only
-- where something was removed there: the list may be the inside of a span, whose edges are the author's.
local function tidy(inlines)
  local result = strip_removed_edges(inlines)
  for _ = 1, 5 do
    local next_result = tidy_once(result)
    if #next_result == #result and pandoc.utils.stringify(next_result) == pandoc.utils.stringify(result) then
      return next_result
    end
    result = next_result
  end
  return result
end

local function trim_block(block)
  local content = block.content
  while is_space(content[1]) do
    content:remove(1)
  end
  while is_space(content[#content]) do
    content:remove()
  end
  if #content == 0 then
    return {}
  end
  block.content = content
  return block
end

-- Pass 1: `if-cited` spans and divs.
local function resolve_spans(inlines)
  local result, unwrapped, removed = pandoc.List(), false, false
  for _, element in ipairs(inlines) do
    if element.t == "Span" and has_class(element) then
      if cites_a_dropped_work(element) then
        removed = true
        result:insert(marker())
      else
        unwrapped = true
        result:extend(element.content)
      end
    else
      result:insert(element)
    end
  end
  if removed then
    return tidy(result)
  elseif unwrapped then
    return result
  end
end

local function resolve_divs(blocks)
  local result, changed = pandoc.List(), false
  for _, block in ipairs(blocks) do
    if block.t == "Div" and has_class(block) then
      changed = true
      if not cites_a_dropped_work(block) then
        result:extend(block.content)
      end
    else
      result:insert(block)
    end
  end
  if changed then
    return result
  end
end

-- Pass 2: the works inside each remaining citation.
local function citation_text(citations)
  local keys = pandoc.List()
  for _, citation in ipairs(citations) do
    keys:insert("@" .. citation.id)
  end
  return pandoc.Inlines({ pandoc.Str("[" .. table.concat(keys, "; ") .. "]") })
end

local function filter_citations(inlines)
  local result, changed = pandoc.List(), false
  for _, element in ipairs(inlines) do
    if element.t == "Cite" then
      local kept = pandoc.List()
      for _, citation in ipairs(element.citations) do
        if not dropped(citation.id) then
          kept:insert(citation)
        end
      end
      if #kept == #element.citations then
        result:insert(element)
      else
        changed = true
        result:insert(#kept > 0 and pandoc.Cite(citation_text(kept), kept) or marker())
      end
    else
      result:insert(element)
    end
  end
  if changed then
    return tidy(result)
  end
end

local changed_blocks = false

local function mark_changes(filter)
  return function(list)
    local result = filter(list)
    if result ~= nil then
      changed_blocks = true
    end
    return result
  end
end

return {
  {
    Pandoc = function(doc)
      included = read_selection(doc.meta)
      if included ~= nil then
        in_bibliography = read_bibliography(doc)
      end
    end,
  },
  {
    Inlines = mark_changes(resolve_spans),
    Blocks = mark_changes(resolve_divs),
  },
  {
    Inlines = function(inlines)
      if included ~= nil then
        return mark_changes(filter_citations)(inlines)
      end
    end,
  },
  {
    Para = function(block)
      if changed_blocks then
        return trim_block(block)
      end
    end,
    Plain = function(block)
      if changed_blocks then
        return trim_block(block)
      end
    end,
  },
}
