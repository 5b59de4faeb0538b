"""Pathways: the phases, decisions and deadline rules a case follows, their versions, and the
pages that publish and choose them. The definitions Familiebro ships are in
familiebro.cases.pathway_library."""
