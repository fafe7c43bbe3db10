# SPDX-License-Identifier: BSD-2-Clause
# bash completion for fl-trace, fl-dns, fl-locate, fl-probed and fl-monitor, installed under each
# name in share/bash-completion/completions (loaded on first use).
# The options come from the tool's own --help, read once per shell and
# tool: the completion knows what the installed tool knows, and cannot
# drift from its option list.

# Fills _faultline_opts[TOOL] (every option, space-separated),
# _faultline_args[TOOL] (those that take a value) and, for a value that is
# one of a few words ("text | json"), _faultline_words[TOOL OPTION].
_faultline_read_help() {
    local tool=$1 line opts="" args="" names name desc
    declare -gA _faultline_opts _faultline_args _faultline_words
    [[ -n ${_faultline_opts[$tool]+set} ]] && return
    # Boost's layout: "  -w [ --write ] arg   text", "  -o [ --output ] arg
    # (=text)   text | json" or "  --no-dns   text".
    local re='^  ((-[[:alnum:]]) \[ (--[[:alnum:]-]+) \]|(--[[:alnum:]-]+))( arg( \(=[^)]*\))?)?( +(.*))?$'
    while IFS= read -r line; do
        [[ $line =~ $re ]] || continue
        names="${BASH_REMATCH[2]} ${BASH_REMATCH[3]}${BASH_REMATCH[4]}"
        desc=${BASH_REMATCH[8]}
        opts+=" $names"
        if [[ -n ${BASH_REMATCH[5]} ]]; then
            args+=" $names "
            if [[ $desc =~ ^([[:alnum:]-]+( \| [[:alnum:]-]+)+)( \(.*\))?$ ]]; then
                for name in $names; do
                    _faultline_words["$tool $name"]=${BASH_REMATCH[1]//|/}
                done
            fi
        fi
    done < <("$tool" --help 2>/dev/null)
    _faultline_opts[$tool]=$opts
    _faultline_args[$tool]=$args
}

_faultline() {
    local tool=$1 cur=${COMP_WORDS[COMP_CWORD]} prev=
    (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    _faultline_read_help "$tool"
    COMPREPLY=()
    if [[ $prev == -* && ${_faultline_args[$tool]} == *" $prev "* ]]; then
        local words=${_faultline_words["$tool $prev"]-}
        case $prev in
            --user) mapfile -t COMPREPLY < <(compgen -u -- "$cur") ;;
            --group) mapfile -t COMPREPLY < <(compgen -g -- "$cur") ;;
            -i|--interface) mapfile -t COMPREPLY < <(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur") ;;
            *)
                if [[ -n $words ]]; then
                    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
                else
                    # Files, directories, or anything (a number, an address).
                    compopt -o filenames 2>/dev/null
                    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                fi ;;
        esac
        return 0
    fi
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "${_faultline_opts[$tool]}" -- "$cur")
        return 0
    fi
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

complete -F _faultline fl-trace fl-dns fl-locate fl-probed fl-monitor
