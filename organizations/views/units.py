def unit_tree(request):
    pass
